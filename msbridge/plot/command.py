"""``msbridge plot``: draw an LR schedule per step, overlaid with its counterparts and their difference."""
from __future__ import annotations

import argparse
import csv
import importlib
import inspect
import os
import shlex
import sys

from msbridge.errors import UserError
from msbridge.plot import apis, runners, script
from msbridge.plot.expression import ApiCall, parse_call

EXAMPLES = """\
examples:
  # a MindSpore LR list vs the torch scheduler(s) the mapping tables translate it to
  msbridge plot "nn.exponential_decay_lr(0.1, 0.9, 600, 20, 5, is_stair=True)" --vs torch -o lr.png

  # a MindSpore schedule cell (say how many steps), and msbridge's own re-implementation of it
  msbridge plot "nn.ExponentialDecayLR(0.1, 0.9, 10, is_stair=True)" --steps 300 --vs torch --vs msbridge

  # a torch scheduler stepped once per epoch of 20 batches, vs its MindSpore counterparts
  msbridge plot "lr_scheduler.StepLR(step_size=30, gamma=0.1)" --lr 0.1 --epochs 90 --steps-per-epoch 20
  msbridge plot "lr_scheduler.OneCycleLR(max_lr=0.1, total_steps=500)" -o onecycle.png
  msbridge plot "lr_scheduler.LambdaLR(lr_lambda=lambda epoch: 0.95 ** epoch)" --epochs 50 --csv lr.csv

  # MindSpore's own torch-shaped scheduler vs real torch and vs msbridge's (float64, torch's algorithm)
  msbridge plot "mindspore.experimental.optim.lr_scheduler.CyclicLR(base_lr=0.01, max_lr=0.1,
      step_size_up=5)" --steps 40 --vs torch --vs msbridge
  msbridge plot "lr_scheduler.SequentialLR(schedulers=[lr_scheduler.LinearLR(start_factor=0.1,
      total_iters=5), lr_scheduler.CosineAnnealingLR(T_max=45)], milestones=[5])" --epochs 50

  # a whole training script: run as written and as converted by `msbridge convert`
  msbridge plot train.py --args "--epochs 3" --steps 200 -o train_lr.png

Every curve is computed by the real framework (mindspore / torch), one training step at a time;
counterparts come from the mapping tables (`msbridge explain <api>` shows the row).
Expressions are parsed, never run: literal arguments only (numbers, strings, lists, arithmetic,
`lambda epoch: ...`).

plottable APIs:
"""

DEFAULT_LR = 0.1
MAX_COUNTERPARTS = 4


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "plot",
        help="draw an LR schedule per step, with its counterpart in the other framework",
        description="Draw the learning rate of every training step for a MindSpore LR API call or a "
        "torch scheduler, overlay its counterparts (from the mapping tables, run in the real "
        "frameworks), and show the difference in a second panel.",
        epilog=EXAMPLES + apis.listing(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "expression", help='an API call, e.g. "nn.warmup_lr(0.1, 100, 10, 3)", or a training script (.py)'
    )
    parser.add_argument("-o", "--output", default="lr.png", help="image to write: .png, .svg, .pdf (default: %(default)s)")
    parser.add_argument(
        "--vs",
        action="append",
        choices=("torch", "mindspore", "msbridge", "converted", "none"),
        help="what to overlay (repeatable): the other framework (default for API calls), msbridge "
        "(msbridge's own re-implementation of the same API), converted (a script's conversion: the default "
        "for scripts), none",
    )
    parser.add_argument(
        "--steps", type=int, help="training steps to draw (needed for schedule cells; scripts: at most, default 1000)"
    )
    parser.add_argument(
        "--steps-per-epoch", type=int, help="batches per epoch (default: 1); a torch scheduler steps once per epoch"
    )
    parser.add_argument("--csv", metavar="FILE", help="also write every curve's per-step values to FILE")
    parser.add_argument("--title", help="figure title (default: the expression)")
    script_group = parser.add_argument_group("training scripts (run, with their conversion, in subprocesses)")
    script_group.add_argument(
        "--args", help="the script's own command-line arguments, as one string (--args='--epochs 3')"
    )
    script_group.add_argument(
        "--timeout", type=float, default=script.DEFAULT_TIMEOUT, help="seconds per run (default: %(default)s)"
    )
    torch_group = parser.add_argument_group("torch schedulers")
    torch_group.add_argument("--lr", type=float, help=f"the optimizer's initial lr (default: {DEFAULT_LR})")
    torch_group.add_argument("--epochs", type=int, help="epochs to draw")
    torch_group.add_argument(
        "--step-every",
        choices=("epoch", "batch"),
        help="when scheduler.step() is called (default: batch for OneCycleLR/CyclicLR, else epoch)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        from msbridge.plot.render import compare, render
    except ImportError as exc:
        raise UserError(f"msbridge plot needs matplotlib ({exc}): pip install 'msbridge[plot]'") from None

    for path in (args.output, args.csv):
        if path:
            _check_output(path)
    if script.is_script(args.expression):
        source, others, xlabel, title = _script_curves(args)
        what = f"optimizer updates of {os.path.basename(args.expression)}"
    else:
        if args.args is not None:
            raise UserError("--args is for scripts (msbridge plot train.py --args '...')")
        call = parse_call(args.expression)
        source, others, xlabel = compute(call, args)
        title, what = call.text, f"steps of {call.api.short}"
    try:
        render(args.output, args.title or title, source, others, xlabel)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot write {args.output}: {exc}") from None
    if args.csv:
        _write_csv(args.csv, source, others)
    print(f"wrote {args.output}: {len(source.values)} {what}")
    for other in others:
        print(f"  {other.label}: {compare(source, other).summary}")
    return 0


def _script_curves(args):
    for flag in ("lr", "epochs", "step_every", "steps_per_epoch"):
        if getattr(args, flag) is not None:
            raise UserError(f"--{flag.replace('_', '-')} does not apply to a script: it runs as written")
    overlays = list(dict.fromkeys(args.vs or ["converted"]))
    if overlays not in (["converted"], ["none"]):
        raise UserError("a script is drawn with its conversion by msbridge convert, or alone with --vs none")
    if args.steps is not None and args.steps < 1:
        raise UserError(f"--steps must be a positive integer, got {args.steps}")
    script_args = shlex.split(args.args or "")
    return script.script_curves(args.expression, script_args, overlays != ["none"], args.steps, args.timeout)


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
    from msbridge.plot.render import Curve

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
    from msbridge.plot.render import Curve

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
    from msbridge.plot.render import Curve

    found, notes = counterparts.find(call, context)
    for note in notes:
        _note(_without_row_note(note))
    curves = []
    for counterpart in found[:MAX_COUNTERPARTS]:
        row, translation = counterpart.row, counterpart.translation
        every = context["steps_per_epoch"] if row.torch_step == "epoch" else 1
        lr = translation.optimizer_lr if framework == "torch" else context["initial_lr"]
        try:
            values = runners.run_translation(counterpart.api, translation.kwargs, lr, steps, every)
        except UserError as exc:
            _note(f"row {row.id}: {exc} (curve left out)")
            continue
        label = _framework_label(counterpart.api) + counterpart.text
        if ".lr_scheduler." in counterpart.api:
            label += f" on lr={lr:g}, stepped every " + ("step" if every == 1 else f"{every} steps")
        curves.append(Curve(f"{label} [table: {row.id}, {row.exactness}]", tuple(values), row))
    for counterpart in found[MAX_COUNTERPARTS:]:
        _note(f"row {counterpart.row.id} applies too; not drawn (at most {MAX_COUNTERPARTS} counterparts)")
    return curves


def _without_row_note(note: str) -> str:
    """A row's refusal ends with the row's whole note in parentheses: `msbridge explain` shows that."""
    head, found, _ = note.partition(" for these arguments (")
    return head + " for these arguments" if found else note


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
    _note(f"{missing} is not installed: the source curve is computed by msbridge's stand-in ({module})")
    return f"{module}.{name.removeprefix('nn.')} ({missing} not installed)"


def _argument(module: str, call: ApiCall, name: str, default):
    """The value of argument ``name`` in a MindSpore call, bound by the function's own signature."""
    function = getattr(importlib.import_module(module), call.api.name)
    return inspect.signature(function).bind(*call.args, **call.kwargs).arguments.get(name, default)


def _default_step_every(call: ApiCall) -> str:
    return "batch" if call.api.name in ("OneCycleLR", "CyclicLR") else "epoch"


def _check_output(path: str) -> None:
    """Fail before the (slow) computation when a file could not be written anyway."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UserError(f"cannot write {path}: folder {folder} does not exist")
    if os.path.isdir(path):
        raise UserError(f"cannot write {path}: it is a folder")
    if not os.access(folder, os.W_OK):
        raise UserError(f"cannot write {path}: folder {folder} is not writable")


def _write_csv(path: str, source, others) -> None:
    """``step, source, counterpart...``: floats written with repr, so they read back bit-identical."""
    curves = [source, *others]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["step", *(curve.label for curve in curves)])
        for step in range(max(len(c.values) for c in curves)):
            writer.writerow([step, *(repr(c.values[step]) if step < len(c.values) else "" for c in curves)])


def _note(message: str) -> None:
    print(f"msbridge plot: note: {message}", file=sys.stderr)
