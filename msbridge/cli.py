"""The ``msbridge`` command line: ``convert``, ``explain``, ``plot``, ``tables``, ``ckpt``.

Each subcommand lives next to the code it drives, in a module exposing
``register(subparsers)``; this file only assembles them, so adding a command
never means editing a central list of flags. A module that is not there yet
(the package is built piece by piece) is simply not listed, but an existing
module that fails to import is a bug and is NOT hidden.

User mistakes (``msbridge.errors.UserError``, a missing file) are printed on
one line without a traceback and exit with status 2, like argparse's own
usage errors.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys

from msbridge.errors import UserError

PROG = "msbridge"
USAGE_ERROR = 2

# Modules contributing subcommands, in the order `--help` lists them.
COMMAND_MODULES = (
    "msbridge.convert.command",
    "msbridge.tables.command",
    "msbridge.plot.command",
    "msbridge.ckpt.command",
)

# (module that provides the command, example line) for the top-level --help
EXAMPLES = (
    ("msbridge.convert.command", "msbridge convert train_ms.py -o train_torch.py      # MindSpore script -> PyTorch"),
    ("msbridge.convert.command", "msbridge convert train.py --to mindspore -o out.py  # PyTorch script -> MindSpore"),
    ("msbridge.tables.command", "msbridge explain mindspore.nn.exponential_decay_lr  # how one API translates"),
    ("msbridge.tables.command", "msbridge tables list                                # every mapping row"),
    ("msbridge.plot.command", 'msbridge plot "nn.exponential_decay_lr(0.1, 0.9, 600, 20, 5, is_stair=True)" -o lr.png'),
    ("msbridge.plot.command", "msbridge plot train.py -o lr.png                    # a script vs its conversion"),
    ("msbridge.ckpt.command", "msbridge ckpt resnet.ckpt -o resnet.pt              # MindSpore weights -> torch"),
)


def _epilog(present: set[str]) -> str:
    lines = [f"  {example}" for module, example in EXAMPLES if module in present]
    return "examples:\n" + "\n".join(lines) + "\n\nRun `msbridge <command> --help` for each command's options and examples.\n"


def _module_exists(name: str) -> bool:
    """True when ``name`` can be imported; False only when it (or a parent package) is absent.

    ``find_spec("a.b.c")`` imports ``a.b`` and raises when ``a.b`` is missing, so
    walk the dotted path one package at a time.
    """
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        if importlib.util.find_spec(".".join(parts[:i])) is None:
            return False
    return True


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every subcommand whose module is present."""
    present = {name for name in COMMAND_MODULES if _module_exists(name)}
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Port deep-learning code between MindSpore and PyTorch "
        "without changing what it computes.",
        epilog=_epilog(present),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction)
    subparsers = parser.add_subparsers(dest="command", metavar="<command>")
    for module_name in COMMAND_MODULES:
        if module_name in present:
            importlib.import_module(module_name).register(subparsers)
    return parser


class _VersionAction(argparse.Action):
    """``--version``: the installed version, looked up only when asked (``importlib.metadata`` costs
    a noticeable share of every command's start-up)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0,
                         help=help or "show program's version number and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog} {_version()}")   # stdout, as argparse's own version action
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("msbridge")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _error(message: str) -> int:
    print(f"{PROG}: error: {str(message).strip() or 'unknown error'}", file=sys.stderr)
    return USAGE_ERROR


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status instead of calling ``sys.exit``."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, usage errors (argparse already printed)
        return exit_.code if isinstance(exit_.code, int) else USAGE_ERROR
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return USAGE_ERROR
    try:
        return int(func(args) or 0)
    except UserError as exc:
        return _error(str(exc))
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        if exc.filename is None:
            raise
        return _error(f"{exc.strerror}: {exc.filename}")
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `msbridge tables list | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
