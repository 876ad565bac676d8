"""The curves ``msbridge plot`` draws for an API call: the source, and its counterparts.

The source runs in its real framework; the counterparts are msbridge's own
re-implementation (``--vs msbridge``) and one curve per mapping-table row
that translates the call (``--vs torch`` / ``--vs mindspore``), each run in
the real other framework. Options that do not fit the call are user errors.
"""
from __future__ import annotations

import argparse
import importlib
import inspect

from msbridge.errors import UserError
from msbridge.plot import apis, runners
from msbridge.plot.expression import ApiCall
from msbridge.plot.compare import Curve
from msbridge.plot.notes import note

DEFAULT_LR = 0.1
MAX_COUNTERPARTS = 4


def compute(call: ApiCall, args: argparse.Namespace):
    """``(source curve, counterpart curves, x-axis label)`` for ``call`` with the command's options."""
    for flag in ("epochs", "steps_per_epoch", "steps"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            raise UserError(f"--{flag.replace('_', '-')} must be a positive integer, got {value}")
    overlays = _overlays(call, args.vs)
    if call.api.framework == apis.MINDSPORE:
        return _mindspore_curves(call, args, overlays)
    return _torch_curves(call, args, overlays)


def _source_framework(call: ApiCall) -> str:
    """"torch" or "mindspore" (mindspore.experimental schedulers are MindSpore)."""
    return "torch" if call.api.framework == apis.TORCH else "mindspore"


def _overlays(call: ApiCall, requested: list[str] | None) -> list[str]:
    own = _source_framework(call)
    other = "mindspore" if own == "torch" else "torch"
    overlays = list(dict.fromkeys(requested or [other]))
    if "converted" in overlays:
        raise UserError("--vs converted is for training scripts (msbridge plot train.py)")
    if "none" in overlays and len(overlays) > 1:
        raise UserError("--vs none cannot be combined with other --vs choices")
    if own in overlays:
        name = "MindSpore" if own == "mindspore" else "torch"
        raise UserError(f"{call.api.short} is already {name}: use --vs {other}, --vs msbridge or --vs none")
    return [o for o in overlays if o != "none"]


def _mindspore_curves(call: ApiCall, args, overlays):
    for flag in ("lr", "epochs", "step_every"):
        if getattr(args, flag) is not None:
            raise UserError(f"--{flag.replace('_', '-')} is for torch schedulers; {call.api.short} is MindSpore")
    module = runners.mindspore_nn()
    if call.api.kind == apis.LR_FUNCTION:
        if args.steps is not None:
            raise UserError(f"{call.api.short} sets its own length (total_step / milestones); drop --steps")
        values = runners.mindspore_lr_function(call, module)
        steps_per_epoch = _argument(module, call, "step_per_epoch", 1)
        xlabel = "training step (index into the returned list)"
    else:
        if args.steps is None:
            raise UserError(f"{call.api.short} is a schedule cell: say how many steps to draw with --steps N")
        values = runners.mindspore_lr_schedule(call, args.steps, module)
        steps_per_epoch = args.steps_per_epoch or 1
        xlabel = "global step"
    source = Curve(_engine_label(module, f"nn.{call.api.name}"), tuple(values))
    others = []
    if "msbridge" in overlays and module == runners.MINDSPORE_NN:
        if call.api.kind == apis.LR_FUNCTION:
            ours = runners.mindspore_lr_function(call, runners.MSBRIDGE_NN)
        else:
            ours = runners.mindspore_lr_schedule(call, len(values), runners.MSBRIDGE_NN)
        others.append(Curve(f"msbridge.mindspore.nn.{call.api.name} (msbridge, computing on torch)", tuple(ours)))
    if "torch" in overlays:
        context = {"steps_per_epoch": steps_per_epoch, "total_steps": len(values)}
        others += _counterpart_curves(call, context, len(values), "torch")
    return source, others, xlabel


def _torch_curves(call: ApiCall, args, overlays):
    lr = DEFAULT_LR if args.lr is None else args.lr
    per_epoch = args.steps_per_epoch or 1
    per_batch = (args.step_every or _default_step_every(call)) == "batch"
    every = 1 if per_batch else per_epoch
    steps = args.steps if args.steps is not None else (args.epochs * per_epoch if args.epochs else None)
    if steps is None and call.api.name != "OneCycleLR":  # OneCycleLR knows its own length
        raise UserError(f"{call.api.short}: say how long to plot with --epochs N (or --steps N)")
    if call.api.framework == apis.EXPERIMENTAL:
        if not runners.installed("mindspore"):
            raise UserError(f"{call.api.short} needs MindSpore, which is not installed")
        family = runners.MINDSPORE_EXPERIMENTAL
    else:
        family = runners.torch_family()
    values = runners.torch_shaped_scheduler(family, call, lr, steps, every)
    when = "every batch" if per_batch else "every epoch" + (f" ({every} batches)" if every > 1 else "")
    source = Curve(_engine_label(family.scheduler_module, call.api.name) + f" on lr={lr:g}, stepped {when}", tuple(values))
    others = []
    if "msbridge" in overlays and family is not runners.MSBRIDGE_TORCH:
        ours = runners.torch_shaped_scheduler(runners.MSBRIDGE_TORCH, call, lr, len(values), every)
        label = f"msbridge.torch.optim.lr_scheduler.{call.api.name} (msbridge, driving a MindSpore optimizer)"
        others.append(Curve(label, tuple(ours)))
    counterpart = "mindspore" if family is not runners.MINDSPORE_EXPERIMENTAL else "torch"
    if counterpart in overlays:
        context = {"initial_lr": lr, "steps_per_epoch": every, "total_steps": len(values), "per_step_lrs": list(values)}
        others += _counterpart_curves(call, context, len(values), counterpart)
    return source, others, "training step (batch)"


def _counterpart_curves(call: ApiCall, context: dict, steps: int, framework: str) -> list:
    """One curve per mapping-table row that translates ``call`` with these arguments."""
    from msbridge.plot import counterparts
    found, notes = counterparts.find(call, context)
    # rows of one family split an API by exclusive conditions (stair vs smooth): when one of them
    # applies, that its siblings do not is expected, not news
    applied = {c.row.family for c in found if c.row.family}
    for text in notes:
        row_id = text.removeprefix("row ").split(" ", 1)[0]
        if _family(row_id) not in applied:
            note(_without_row_note(text))
    curves = []
    for counterpart in found[:MAX_COUNTERPARTS]:
        row, translation = counterpart.row, counterpart.translation
        every = context["steps_per_epoch"] if row.torch_step == "epoch" else 1
        lr = translation.optimizer_lr if framework == "torch" else context["initial_lr"]
        try:
            values = runners.run_translation(counterpart.api, translation.kwargs, lr, steps, every)
        except UserError as exc:
            note(f"row {row.id}: {exc} (curve left out)")
            continue
        label = _framework_label(counterpart.api) + counterpart.text
        if ".lr_scheduler." in counterpart.api:
            label += f" on lr={lr:g}, stepped every " + ("step" if every == 1 else f"{every} steps")
        curves.append(Curve(f"{label} [table: {row.id}, {row.exactness}]", tuple(values), row))
    for counterpart in found[MAX_COUNTERPARTS:]:
        note(f"row {counterpart.row.id} applies too; not drawn (at most {MAX_COUNTERPARTS} counterparts)")
    return curves


def _family(row_id: str) -> str | None:
    from msbridge.tables import load_tables

    try:
        return load_tables().row(row_id).family
    except KeyError:
        return None


def _without_row_note(text: str) -> str:
    """A row's refusal ends with the row's whole note in parentheses: `msbridge explain` shows that."""
    head, found, _ = text.partition(" for these arguments (")
    return head + " for these arguments" if found else text


def _framework_label(api: str) -> str:
    if api.startswith("mindspore.nn."):
        prefix = "mindspore nn."
    elif api.startswith("mindspore.experimental."):
        prefix = "mindspore.experimental "
    else:
        prefix = "torch "
    framework = "torch" if prefix.startswith("torch") else "mindspore"
    if not runners.installed(framework):
        return f"(msbridge stand-in: {framework} not installed) {prefix}"
    return prefix


def _engine_label(module: str, name: str) -> str:
    """The source curve's label: the real framework, or which msbridge stand-in computed it."""
    if module == runners.MINDSPORE_NN:
        return f"mindspore {name}"
    if module == runners.TORCH.scheduler_module:
        return f"torch {name}"
    if module == runners.MINDSPORE_EXPERIMENTAL.scheduler_module:
        return f"mindspore.experimental {name}"
    missing = "MindSpore" if module == runners.MSBRIDGE_NN else "torch"
    note(f"{missing} is not installed: the source curve is computed by msbridge's stand-in ({module})")
    return f"{module}.{name.removeprefix('nn.')} ({missing} not installed)"


def _argument(module: str, call: ApiCall, name: str, default):
    """The value of argument ``name`` in a MindSpore call, bound by the function's own signature."""
    function = getattr(importlib.import_module(module), call.api.name)
    return inspect.signature(function).bind(*call.args, **call.kwargs).arguments.get(name, default)


def _default_step_every(call: ApiCall) -> str:
    return "batch" if call.api.name in ("OneCycleLR", "CyclicLR") else "epoch"
