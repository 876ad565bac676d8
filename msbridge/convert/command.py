"""``msbridge convert``: rewrite a training script or a tree between MindSpore and PyTorch."""
from __future__ import annotations

import argparse
import os
import sys

from msbridge.errors import UserError

EXAMPLES = """\
examples:
  msbridge convert train_ms.py -o train_torch.py             # direction detected from the imports
  msbridge convert src/ --to torch -o src_torch/ -j 4         # a tree, 4 worker processes
  msbridge convert train.py --to mindspore --in-place --report report.json

exit status: 0 when every API converted, 1 when something needs review, is
unsupported or did not parse (all listed, and marked `# msbridge:` in the
output), 2 on a usage error.
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "convert",
        help="rewrite scripts between MindSpore and PyTorch (same LR at every step)",
        description="Rewrite a Python file or a tree between MindSpore and PyTorch, driven by the "
                    "mapping tables. Comments and layout of untouched code are kept byte for byte; "
                    "nothing from the converted code is executed.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("src", help="a .py file or a folder")
    parser.add_argument("--to", choices=("torch", "mindspore"),
                        help="target framework (default: the other one than each file imports)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", metavar="OUT", help="output file or folder")
    where.add_argument("--in-place", action="store_true", help="overwrite the input files")
    parser.add_argument("--report", metavar="FILE", help="write the conversion report as JSON")
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="worker processes for trees (0: one per CPU; default 1)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the totals line")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from msbridge.convert.driver import atomic_write, convert_paths

    if args.output is None and not args.in_place and args.report is None:
        raise UserError("nothing to write: give -o OUT, --in-place, or --report FILE for a dry run")
    if args.jobs < 0:
        raise UserError(f"-j must be >= 0, got {args.jobs}")
    jobs = args.jobs or os.cpu_count() or 1
    report = convert_paths(args.src, args.output, in_place=args.in_place, to=args.to, jobs=jobs)
    if args.report:
        from pathlib import Path

        atomic_write(Path(args.report), report.to_json() + "\n")
    text = report.render()
    print(text.splitlines()[-1] if args.quiet else text, file=sys.stderr)
    return 0 if report.complete else 1
