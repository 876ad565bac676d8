"""CLI pieces: ``msbridge tables list|validate|docs [--check]|verify`` and ``msbridge explain <api>``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from msbridge.errors import UserError
from msbridge.tables.loader import DEFAULT_DIR, load_tables
from msbridge.tables.records import CATEGORIES
from msbridge.tables.schema import TableError

DOCS_DIR = DEFAULT_DIR.parent / "docs"

TABLES_EXAMPLES = """\
examples:
  msbridge tables list                        # every row: id, MindSpore API, torch API, exactness
  msbridge tables list cosine                 # rows whose id or API names contain "cosine"
  msbridge tables list --family losses        # the rows of one family (mapping_tables/losses.toml)
  msbridge tables list --category layer       # the rows of one category (layer, loss, function, ...)
  msbridge tables validate                    # load and check the tables (errors name file, row, field)
  msbridge tables docs                        # regenerate docs/api_mapping.md and docs/api/*.md
  msbridge tables docs --check                # exit 1 when the committed docs are stale
  msbridge tables verify optim.Adam           # run a row's examples on real MindSpore and torch
"""

EXPLAIN_EXAMPLES = """\
examples:
  msbridge explain mindspore.nn.exponential_decay_lr
  msbridge explain torch.optim.AdamW
  msbridge explain nn.Momentum                # a unique suffix is enough
  msbridge explain lr.cosine_decay_lr         # or a row id
"""


def _tables(args):
    try:
        return load_tables(getattr(args, "tables_dir", None))
    except TableError as exc:
        raise UserError(str(exc)) from None


def _family(row) -> str:
    """A row's table family: the stem of the file it lives in (``mapping_tables/losses.toml`` -> losses)."""
    return Path(row.file).stem


def _list(args) -> int:
    tables = _tables(args)
    families = sorted({_family(row) for row in tables.rows})
    if args.family and args.family not in families:
        raise UserError(f"no table family {args.family!r}; the families are: {', '.join(families)}")
    pattern = (args.pattern or "").lower()
    shown = 0
    for row in tables.rows:
        torch_name = row.torch.name if row.torch else "-"
        if pattern not in f"{row.id} {row.mindspore.name} {torch_name}".lower():
            continue
        if (args.family and _family(row) != args.family) or (args.category and row.category != args.category):
            continue
        print(f"{row.id:44s} {row.mindspore.name:56s} {torch_name:48s} {row.exactness}")
        shown += 1
    if not shown:
        print(f"no row matches {_filters(args)} (ids and API names are searched; "
              "`msbridge tables list` shows them all)", file=sys.stderr)
        return 1
    return 0


def _filters(args) -> str:
    parts = [repr(args.pattern)] if args.pattern else []
    parts += [f"--{name} {getattr(args, name)}" for name in ("family", "category") if getattr(args, name)]
    return " ".join(parts)


def _validate(args) -> int:
    tables = _tables(args)
    print(f"ok: {len(tables.rows)} rows, {len(tables.api_names)} APIs")
    return 0


def _docs(args) -> int:
    from msbridge.tables.docs import stale_files, write_docs

    tables, docs_dir = _tables(args), Path(args.docs_dir)
    if args.check:
        stale = stale_files(tables, docs_dir)
        if stale:
            print(f"stale generated docs ({len(stale)}): {', '.join(stale[:10])}"
                  f"{' ...' if len(stale) > 10 else ''}\nrun: msbridge tables docs")
            return 1
        print("docs are up to date")
        return 0
    changed = write_docs(tables, docs_dir)
    print(f"wrote {len(changed)} file(s) under {docs_dir}")
    return 0


def _verify(args) -> int:
    from msbridge.bridge.verify import verify_example

    tables = _tables(args)
    rows = [r for r in tables.rows if r.examples and (not args.rows or r.id in args.rows)]
    if args.rows and len(rows) != len(set(args.rows)):
        unknown = sorted(set(args.rows) - {r.id for r in rows})
        raise UserError(f"no row with examples named {', '.join(unknown)}")
    failures = 0
    for row in rows:
        for example in row.examples:
            outcome = verify_example(row, example)
            claim_holds = outcome.agrees != (row.exactness == "impossible")
            ok = outcome.styles_agree and claim_holds
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {row.id:44s} from {example.source:9s} {row.exactness:16s} "
                  f"max rel diff {outcome.max_difference:.3g}")
    return 1 if failures else 0


def _explain(args) -> int:
    from msbridge.tables.explain import explain

    print(explain(_tables(args), args.api))
    return 0


def register(subparsers) -> None:
    """Add ``tables`` and ``explain`` to the ``msbridge`` command line."""
    tables = subparsers.add_parser("tables", help="list, validate and document the mapping tables",
                                   description="Work with mapping_tables/*.toml.", epilog=TABLES_EXAMPLES,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = tables.add_subparsers(dest="action", metavar="<action>", required=True)
    listing = actions.add_parser("list", help="one line per row (exit 1 when no row matches)")
    listing.add_argument("pattern", nargs="?", help="only rows whose id or API names contain this text")
    listing.add_argument("--family", help="only the rows of one table family (the file mapping_tables/FAMILY.toml)")
    listing.add_argument("--category", choices=sorted(CATEGORIES), help="only the rows of one category")
    listing.set_defaults(func=_list)
    validate = actions.add_parser("validate", help="load and check every table")
    validate.add_argument("--tables-dir", help="a directory of *.toml tables (default: the shipped ones)")
    validate.set_defaults(func=_validate)
    docs = actions.add_parser("docs", help="regenerate docs/api_mapping.md and docs/api/*.md")
    docs.add_argument("--check", action="store_true", help="only report stale files (exit 1 if any)")
    docs.add_argument("--docs-dir", default=str(DOCS_DIR), help=argparse.SUPPRESS)
    docs.set_defaults(func=_docs)
    verify = actions.add_parser("verify", help="run rows' examples on both real frameworks")
    verify.add_argument("rows", nargs="*", metavar="ROW", help="row ids (default: every row with examples)")
    verify.set_defaults(func=_verify)
    explain = subparsers.add_parser("explain", help="how one API translates, argument by argument",
                                    description="Print the mapping row(s) of an API: counterpart, each "
                                                "argument's translation, exactness and caveats.",
                                    epilog=EXPLAIN_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    explain.add_argument("api", help="qualified name (mindspore.nn.Adam), unique suffix (nn.Adam) or row id")
    explain.set_defaults(func=_explain)
