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
    torch_group.add_argument(
        "--steps-per-epoch", type=int, default=1, help="batches per epoch (default: %(default)s)"
    )
    torch_group.add_argument(
        "--step-every",
        choices=("epoch", "batch"),
        help="when scheduler.step() is called (default: batch for OneCycleLR/CyclicLR, else epoch)",
    )
    parser.add_argument("--title", help="figure title (default: the expression)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from msbridge.plot.render import Curve, compare, render

    call = parse_call(args.expression)
    _check_output(args.output)
    if call.api.framework == apis.MINDSPORE:
        source, others, xlabel = _mindspore_curves(call, args)
    else:
        source, others, xlabel = _torch_curves(call, args)
    try:
        render(args.output, args.title or call.text, source, others, xlabel)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot write {args.output}: {exc}") from None
    print(f"wrote {args.output}: {len(source.values)} steps of {call.api.short}")
    for other in others:
        print(f"  {other.label}: {compare(source, other).summary}")
    return 0


def _mindspore_curves(call: ApiCall, args):
    from msbridge.plot.render import Curve
    from msbridge.plot.translations import bound_arguments, mindspore_to_torch

    for flag in ("lr", "epochs", "step_every"):
        if getattr(args, flag) is not None:
            raise UserError(f"--{flag.replace('_', '-')} is for torch schedulers; {call.api.short} is MindSpore")
    if args.vs == "mindspore":
        raise UserError(f"{call.api.short} is already MindSpore: use --vs torch or --vs none")
    if call.api.kind == apis.LR_FUNCTION:
        if args.steps is not None:
            raise UserError(f"{call.api.short} sets its own length (total_step / milestones); drop --steps")
        values = runners.mindspore_lr_function(call)
        xlabel = "training step (index into the returned list)"
    else:
        if args.steps is None:
            raise UserError(f"{call.api.short} is a schedule cell: say how many steps to draw with --steps N")
        values = runners.mindspore_lr_schedule(call, args.steps)
        xlabel = "global step"
    source = Curve(f"mindspore nn.{call.api.name}", tuple(values))
    others = []
    if args.vs != "none":
        import mindspore.nn

        arguments = bound_arguments(inspect.signature(getattr(mindspore.nn, call.api.name)), call)
        plan = mindspore_to_torch(call, arguments)
        if plan is None:
            _note(f"no torch counterpart known for {call.api.short}")
        else:
            torch_values = runners.torch_shaped_scheduler(runners.TORCH, plan.call, plan.lr, len(values), plan.step_every)
            others.append(Curve(plan.text, tuple(torch_values)))
    return source, others, xlabel


def _torch_curves(call: ApiCall, args):
    from msbridge.plot.render import Curve
    from msbridge.plot.translations import bound_arguments, torch_to_mindspore

    if args.vs == "torch":
        raise UserError(f"{call.api.short} is already torch: use --vs mindspore or --vs none")
    for flag, value in (("epochs", args.epochs), ("steps_per_epoch", args.steps_per_epoch), ("steps", args.steps)):
        if value is not None and value < 1:
            raise UserError(f"--{flag.replace('_', '-')} must be a positive integer, got {value}")
    lr = DEFAULT_LR if args.lr is None else args.lr
    per_batch = (args.step_every or _default_step_every(call)) == "batch"
    every = 1 if per_batch else args.steps_per_epoch
    steps = args.steps if args.steps is not None else (args.epochs * args.steps_per_epoch if args.epochs else None)
    if steps is None and call.api.name != "OneCycleLR":  # OneCycleLR knows its own length
        raise UserError(f"{call.api.short}: say how long to plot with --epochs N (or --steps N)")
    values = runners.torch_shaped_scheduler(runners.TORCH, call, lr, steps, every)
    when = "every batch" if per_batch else "every epoch" + (f" ({every} batches)" if every > 1 else "")
    source = Curve(f"torch {call.api.name} on lr={lr:g}, stepped {when}", tuple(values))
    others = []
    if args.vs != "none" and call.api.kind != apis.COMPOSITE:
        import torch.optim.lr_scheduler

        signature = inspect.signature(getattr(torch.optim.lr_scheduler, call.api.name))
        arguments = bound_arguments(signature, ApiCall(call.api, (None, *call.args), call.kwargs))
        translation = torch_to_mindspore(call, arguments, lr, len(values), every)
        if translation is not None:
            others += _optional(lambda: Curve(f"mindspore {translation.text}", tuple(runners.mindspore_lr_function(translation))))
    if args.vs != "none":
        experimental = runners.MINDSPORE_EXPERIMENTAL
        others += _optional(
            lambda: Curve(
                f"{experimental.scheduler_module}.{call.api.name} (float32)",
                tuple(runners.torch_shaped_scheduler(experimental, call, lr, len(values), every)),
            )
        )
    return source, others, "training step (batch)"


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


def _optional(make) -> list:
    """A counterpart curve, or none with a note on stderr when the counterpart framework refuses."""
    try:
        return [make()]
    except UserError as exc:
        _note(f"{exc} (curve left out)")
        return []


def _note(message: str) -> None:
    print(f"msbridge plot: note: {message}", file=sys.stderr)
