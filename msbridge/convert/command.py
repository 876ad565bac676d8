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
  msbridge convert train_ms.py -o train_torch.py --prefer native   # torch's own Adam (rtol 1e-3 accepted)

exit status: 0 every API converted; 1 something needs review or is unsupported
(listed, and marked `# msbridge:` in the output); 2 usage error (nothing
written); 3 some files could not be processed (unreadable, undecodable,
unparsable, links that cannot be followed: listed, the rest converted, and
with -o copied unchanged when readable); 130 interrupted by Ctrl-C (every file
written is complete; the report lists what was done).

Without --in-place nothing that resolves to an input file, or into the input
folder, is written (output and report alike). --in-place refuses read-only
and hard-linked files unless --force is given.
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
    parser.add_argument("--force", action="store_true",
                        help="with --in-place: also convert read-only and hard-linked files")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the totals line")
    parser.add_argument("--prefer", choices=("exact", "native"), default="exact",
                        help="native: the target's own API where a row is approximate within --accept-rtol "
                             "(torch's Adam for MindSpore's), instead of msbridge's exact twin (default: exact)")
    parser.add_argument("--accept-rtol", type=float, default=1e-3, metavar="RTOL",
                        help="with --prefer native: the largest measured relative tolerance accepted (default 1e-3)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from msbridge.convert.driver import atomic_write, convert_paths
    from msbridge.convert.interrupt import CtrlC

    if args.output is None and not args.in_place and args.report is None:
        raise UserError("nothing to write: give -o OUT, --in-place, or --report FILE for a dry run")
    if args.jobs < 0:
        raise UserError(f"-j must be >= 0, got {args.jobs}")
    if args.force and not args.in_place:
        raise UserError("--force only applies to --in-place")
    if not 0 < args.accept_rtol < 1:
        raise UserError(f"--accept-rtol must be in (0, 1), got {args.accept_rtol}")
    from msbridge.convert import preference

    preference.configure(args.prefer, args.accept_rtol)   # before any worker forks: they inherit it
    jobs = args.jobs or os.cpu_count() or 1
    with CtrlC(exiting=True) as ctrl_c:    # a Ctrl-C after the first one (or after the work) never stops the report
        report = convert_paths(args.src, args.output, in_place=args.in_place, to=args.to, jobs=jobs,
                               force=args.force, report_path=args.report, ctrl_c=ctrl_c)
        ctrl_c.raising = False
        if args.report:
            atomic_write(Path(args.report), report.to_json() + "\n")
        report.interrupted = report.interrupted or ctrl_c.requested
    text = report.render()
    print(text.splitlines()[-1] if args.quiet else text, file=sys.stderr)
    return report.exit_code()
