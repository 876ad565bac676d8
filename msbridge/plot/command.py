"""``msbridge plot``: draw an LR schedule per step, overlaid with its counterparts and their difference."""
from __future__ import annotations

import argparse
import csv
import os
import shlex
import sys

from msbridge.errors import UserError
from msbridge.plot import curves, script
from msbridge.plot.apis import listing
from msbridge.plot.compare import compare
from msbridge.plot.expression import parse_call
from msbridge.plot.notes import note

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



def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "plot",
        help="draw an LR schedule per step, with its counterpart in the other framework",
        description="Draw the learning rate of every training step for a MindSpore LR API call or a "
        "torch scheduler, overlay its counterparts (from the mapping tables, run in the real "
        "frameworks), and show the difference in a second panel.",
        epilog=EXAMPLES + listing(),
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
    parser.add_argument(
        "--csv", metavar="FILE", help="also write every curve's per-step values to FILE ('-': standard output)"
    )
    parser.add_argument("--title", help="figure title (default: the expression)")
    parser.add_argument("--log", action="store_true", help="logarithmic LR axis (for decays over decades)")
    script_group = parser.add_argument_group("training scripts (run, with their conversion, in subprocesses)")
    script_group.add_argument(
        "--args", help="the script's own command-line arguments, as one string (--args='--epochs 3')"
    )
    script_group.add_argument(
        "--timeout", type=float, default=script.DEFAULT_TIMEOUT, help="seconds per run (default: %(default)s)"
    )
    torch_group = parser.add_argument_group("torch schedulers")
    torch_group.add_argument("--lr", type=float, help=f"the optimizer's initial lr (default: {curves.DEFAULT_LR})")
    torch_group.add_argument("--epochs", type=int, help="epochs to draw")
    torch_group.add_argument(
        "--step-every",
        choices=("epoch", "batch"),
        help="when scheduler.step() is called (default: batch for OneCycleLR/CyclicLR, else epoch)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        from msbridge.plot.render import image_format, render
    except ImportError as exc:
        raise UserError(f"msbridge plot needs matplotlib ({exc}): pip install 'msbridge[plot]'") from None

    for path in (args.output, args.csv):
        if path and path != "-":
            _check_output(path)
    if image_format(args.output) is None:
        raise UserError(f"cannot write {args.output}: unknown image format; use .png, .svg or .pdf")
    if script.is_script(args.expression):
        source, others, xlabel, title = _script_curves(args)
        what = f"optimizer updates of {os.path.basename(args.expression)}"
    else:
        if args.args is not None:
            raise UserError("--args is for scripts (msbridge plot train.py --args '...')")
        call = parse_call(args.expression)
        source, others, xlabel = curves.compute(call, args)
        title, what = call.text, f"steps of {call.api.short}"
    try:
        render(args.output, args.title or title, source, others, xlabel, log=_log_scale(args.log, source, others))
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot write {args.output}: {exc}") from None
    summary = sys.stdout
    if args.csv == "-":  # the values on stdout (for a pipe); the summary moves to stderr
        _write_csv(sys.stdout, source, others)
        summary = sys.stderr
    elif args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8") as handle:
            _write_csv(handle, source, others)
    print(f"wrote {args.output}: {len(source.values)} {what}", file=summary)
    for other in others:
        print(f"  {other.label}: {compare(source, other).summary}", file=summary)
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


def _log_scale(wanted: bool, source, others) -> bool:
    if wanted and any(value <= 0 for curve in (source, *others) for value in curve.values):
        note("--log needs positive learning rates; drawn on a linear axis")
        return False
    return wanted


def _check_output(path: str) -> None:
    """Fail before the (slow) computation when a file could not be written anyway."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UserError(f"cannot write {path}: folder {folder} does not exist")
    if os.path.isdir(path):
        raise UserError(f"cannot write {path}: it is a folder")
    if not os.access(folder, os.W_OK):
        raise UserError(f"cannot write {path}: folder {folder} is not writable")


def _write_csv(handle, source, others) -> None:
    """``step, source, counterpart...``: floats written with repr, so they read back bit-identical."""
    columns = [source, *others]
    writer = csv.writer(handle)
    writer.writerow(["step", *(curve.label for curve in columns)])
    for step in range(max(len(c.values) for c in columns)):
        writer.writerow([step, *(repr(c.values[step]) if step < len(c.values) else "" for c in columns)])
