"""``msbridge plot``: draw an LR schedule per step, overlaid with its counterpart in the other framework."""
from __future__ import annotations

import argparse
import inspect
import os
import sys

from msbridge.errors import UserError
from msbridge.plot import apis, runners
from msbridge.plot.expression import ApiCall, parse_call

EXAMPLES = """\
examples:
  # a MindSpore LR list vs the torch scheduler a person would write for it
  msbridge plot "nn.exponential_decay_lr(0.1, 0.9, 600, 20, 5, is_stair=True)" --vs torch -o lr.png

  # a MindSpore schedule cell (give the number of steps)
  msbridge plot "nn.CosineDecayLR(0.001, 0.1, 100)" --steps 300 -o cosine.png

  # a torch scheduler, stepped once per epoch, vs MindSpore's own counterparts
  msbridge plot "lr_scheduler.StepLR(step_size=30, gamma=0.1)" --lr 0.1 --epochs 90 -o step.png
  msbridge plot "lr_scheduler.OneCycleLR(max_lr=0.1, total_steps=500)" -o onecycle.png
  msbridge plot "lr_scheduler.SequentialLR(schedulers=[lr_scheduler.LinearLR(start_factor=0.1,
      total_iters=5), lr_scheduler.CosineAnnealingLR(T_max=45)], milestones=[5])" --lr 0.1 --epochs 50

every curve is computed by the real framework (mindspore / torch), one training step at a time.
expressions are parsed, never evaluated: literal arguments only (numbers, strings, lists, arithmetic).

plottable APIs:
"""

DEFAULT_LR = 0.1


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "plot",
        help="draw an LR schedule per step, with its counterpart in the other framework",
        description="Draw the learning rate of every training step for a MindSpore LR API call or a "
        "torch scheduler, overlay its counterpart in the other framework, and show the "
        "difference in a second panel.",
        epilog=EXAMPLES + apis.listing(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("expression", help='an API call, e.g. "nn.warmup_lr(0.1, 100, 10, 3)"')
    parser.add_argument("-o", "--output", default="lr.png", help="image file to write (default: %(default)s)")
    parser.add_argument(
        "--vs",
        choices=("torch", "mindspore", "none"),
        help="counterpart framework to overlay (default: the other one)",
    )
    parser.add_argument("--steps", type=int, help="training steps to draw (needed for schedule cells)")
    torch_group = parser.add_argument_group("torch schedulers")
    torch_group.add_argument("--lr", type=float, help=f"the optimizer's initial lr (default: {DEFAULT_LR})")
    torch_group.add_argument("--epochs", type=int, help="epochs to draw")
    parser.add_argument(
        "--steps-per-epoch",
        type=int,
        help="batches per epoch: when a torch scheduler steps per epoch (default: 1)",
    )
    torch_group.add_argument(
        "--step-every",
        choices=("epoch", "batch"),
        help="when scheduler.step() is called (default: batch for OneCycleLR/CyclicLR, else epoch)",
    )
    parser.add_argument("--title", help="figure title (default: the expression)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from msbridge.plot.render import compare, render

    call = parse_call(args.expression)
    _check_output(args.output)
    source, others, xlabel = compute(call, args)
    try:
        render(args.output, args.title or call.text, source, others, xlabel)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot write {args.output}: {exc}") from None
    print(f"wrote {args.output}: {len(source.values)} steps of {call.api.short}")
    for other in others:
        print(f"  {other.label}: {compare(source, other).summary}")
    return 0


def compute(call: ApiCall, args: argparse.Namespace):
    """``(source curve, counterpart curves, x-axis label)`` for ``call`` with the command's options."""
    if call.api.framework == apis.MINDSPORE:
        return _mindspore_curves(call, args)
    return _torch_curves(call, args)


def _mindspore_curves(call: ApiCall, args):
    from msbridge.plot.render import Curve

    for flag in ("lr", "epochs", "step_every"):
        if getattr(args, flag) is not None:
            raise UserError(f"--{flag.replace('_', '-')} is for torch schedulers; {call.api.short} is MindSpore")
    if args.vs == "mindspore":
        raise UserError(f"{call.api.short} is already MindSpore: use --vs torch or --vs none")
    if call.api.kind == apis.LR_FUNCTION:
        if args.steps is not None:
            raise UserError(f"{call.api.short} sets its own length (total_step / milestones); drop --steps")
        values = runners.mindspore_lr_function(call)
        steps_per_epoch = _argument(call, "step_per_epoch", 1)
        xlabel = "training step (index into the returned list)"
    else:
        if args.steps is None:
            raise UserError(f"{call.api.short} is a schedule cell: say how many steps to draw with --steps N")
        values = runners.mindspore_lr_schedule(call, args.steps)
        steps_per_epoch = args.steps_per_epoch or 1
        xlabel = "global step"
    source = Curve(f"mindspore nn.{call.api.name}", tuple(values))
    others = []
    if args.vs != "none":
        context = {"steps_per_epoch": steps_per_epoch, "total_steps": len(values)}
        others = _counterpart_curves(call, context, len(values), "torch")
    return source, others, xlabel


def _torch_curves(call: ApiCall, args):
    from msbridge.plot.render import Curve

    if args.vs == "torch":
        raise UserError(f"{call.api.short} is already torch: use --vs mindspore or --vs none")
    for flag in ("epochs", "steps_per_epoch", "steps"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            raise UserError(f"--{flag.replace('_', '-')} must be a positive integer, got {value}")
    lr = DEFAULT_LR if args.lr is None else args.lr
    per_epoch = args.steps_per_epoch or 1
    per_batch = (args.step_every or _default_step_every(call)) == "batch"
    every = 1 if per_batch else per_epoch
    steps = args.steps if args.steps is not None else (args.epochs * per_epoch if args.epochs else None)
    if steps is None and call.api.name != "OneCycleLR":  # OneCycleLR knows its own length
        raise UserError(f"{call.api.short}: say how long to plot with --epochs N (or --steps N)")
    values = runners.torch_shaped_scheduler(runners.TORCH, call, lr, steps, every)
    when = "every batch" if per_batch else "every epoch" + (f" ({every} batches)" if every > 1 else "")
    source = Curve(f"torch {call.api.name} on lr={lr:g}, stepped {when}", tuple(values))
    others = []
    if args.vs != "none":
        context = {"initial_lr": lr, "steps_per_epoch": every, "total_steps": len(values), "per_step_lrs": list(values)}
        others = _counterpart_curves(call, context, len(values), "mindspore")
    return source, others, "training step (batch)"


MAX_COUNTERPARTS = 4


def _counterpart_curves(call: ApiCall, context: dict, steps: int, framework: str) -> list:
    """One curve per mapping-table row that translates ``call`` with these arguments."""
    from msbridge.plot import counterparts
    from msbridge.plot.render import Curve

    found, notes = counterparts.find(call, context)
    for note in notes:
        _note(note)
    curves = []
    for counterpart in found[:MAX_COUNTERPARTS]:
        row, translation = counterpart.row, counterpart.translation
        torch_shaped = ".lr_scheduler." in counterpart.api
        every = context["steps_per_epoch"] if row.torch_step == "epoch" else 1
        lr = translation.optimizer_lr if framework == "torch" else context["initial_lr"]
        try:
            values = runners.run_translation(counterpart.api, translation.kwargs, lr, steps, every)
        except UserError as exc:
            _note(f"row {row.id}: {exc} (curve left out)")
            continue
        label = f"{_framework_label(counterpart.api)}{counterpart.text}"
        if torch_shaped:
            label += f" on lr={lr:g}, stepped every " + ("step" if every == 1 else f"{every} steps")
        curves.append(Curve(f"{label} [table: {row.id}, {row.exactness}]", tuple(values), row))
    for counterpart in found[MAX_COUNTERPARTS:]:
        _note(f"row {counterpart.row.id} applies too; not drawn (at most {MAX_COUNTERPARTS} counterparts)")
    return curves


def _framework_label(api: str) -> str:
    if api.startswith("mindspore.nn."):
        return "mindspore nn."
    if api.startswith("mindspore.experimental."):
        return "mindspore.experimental "
    return "torch "


def _argument(call: ApiCall, name: str, default):
    """The value of argument ``name`` in a MindSpore call, by the real function's signature."""
    import mindspore.nn

    bound = inspect.signature(getattr(mindspore.nn, call.api.name)).bind(*call.args, **call.kwargs)
    return bound.arguments.get(name, default)


def _check_output(path: str) -> None:
    """Fail before the (slow) computation when the image could not be written anyway."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UserError(f"cannot write {path}: folder {folder} does not exist")
    if os.path.isdir(path):
        raise UserError(f"cannot write {path}: it is a folder")
    if not os.access(folder, os.W_OK):
        raise UserError(f"cannot write {path}: folder {folder} is not writable")


def _default_step_every(call: ApiCall) -> str:
    return "batch" if call.api.name in ("OneCycleLR", "CyclicLR") else "epoch"


def _note(message: str) -> None:
    print(f"msbridge plot: note: {message}", file=sys.stderr)
