"""Generate ``docs/api_mapping.md`` and ``docs/api/<row id>.md`` from the tables.

The docs are never edited by hand: ``msbridge tables docs`` writes them, and
``msbridge tables docs --check`` (run by the test suite) fails when they are stale.
"""
from __future__ import annotations

from pathlib import Path

from msbridge.tables.describe import (
    EXACTNESS_MEANING, KIND_MEANING, TORCH_STEP_MEANING, conditions, exactness_line, rule_summaries, signature,
)
from msbridge.tables.loader import Tables
from msbridge.tables.records import ApiRow

INDEX = "api_mapping.md"
DETAIL_DIR = "api"
_HEADER = "<!-- Generated from mapping_tables/*.toml by `msbridge tables docs`. Do not edit by hand. -->\n"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(text) -> str:
    return f"`{_cell(text)}`" if text else ""


def detail_path(row: ApiRow) -> str:
    return f"{DETAIL_DIR}/{row.id}.md"


def render_index(tables: Tables) -> str:
    out = [_HEADER, "# MindSpore <-> PyTorch API mapping\n",
           "Each row pairs one MindSpore API with its torch counterpart and says how every argument "
           "crosses over, how exact the result is, and why. Rows are checked against both real "
           "frameworks by the test suite (`tests/tables/`); `msbridge explain <api>` prints one row.\n",
           "## Exactness classes\n"]
    out += [f"- **{name}**: {meaning}." for name, meaning in EXACTNESS_MEANING.items()]
    out.append("\nTolerances compare paired values x, y as |x - y| / max(|x|, |y|) <= rtol. LR rows compare "
               "the learning rate used at each optimizer step; optimizer rows compare the parameters after "
               "the same gradient steps.\n")
    out.append("## Kinds\n")
    out += [f"- **{name}**: {meaning}." for name, meaning in KIND_MEANING.items()]
    by_file: dict[str, list[ApiRow]] = {}
    for row in tables.rows:
        by_file.setdefault(row.file, []).append(row)
    for file, rows in by_file.items():
        out.append(f"\n## {file}\n")
        out.append("| MindSpore | torch | kind | exactness | paradigm | detail |")
        out.append("|---|---|---|---|---|---|")
        for row in rows:
            torch_name = row.torch.name if row.torch else "—"
            out.append(f"| `{row.mindspore.name}` | `{torch_name}` | {row.kind} | {_cell(exactness_line(row))} | "
                       f"{_cell(row.paradigm or '')} | [{row.id}]({detail_path(row)}) |")
    return "\n".join(out) + "\n"


def render_row(row: ApiRow, tables: Tables) -> str:
    torch_name = row.torch.name if row.torch else "(no torch counterpart)"
    out = [_HEADER, f"# `{row.mindspore.name}` <-> `{torch_name}`\n",
           f"Row `{row.id}` in `{row.file}`. Kind: **{row.kind}** ({KIND_MEANING[row.kind]}).\n",
           f"**Exactness: {exactness_line(row)}.** {row.exactness_reason}\n"]
    if row.category:
        out.append(f"- Category: {row.category}")
    if row.modes:
        out.append(f"- Computes differently in: {', '.join(row.modes)} mode (tested in each)")
    if row.paradigm:
        out.append(f"- Paradigm: {row.paradigm}")
    if row.torch_step:
        out.append(f"- torch stepping: {TORCH_STEP_MEANING[row.torch_step]}")
    if row.torch_optimizer_lr:
        out.append(f"- torch optimizer lr: `{row.torch_optimizer_lr}`")
    if row.context:
        out.append(f"- Needs: {', '.join(f'`{c}`' for c in row.context)}")
    out += [f"- {line}" for line in conditions(row)]
    out.append(f"\nMindSpore: `{signature(row.mindspore)}`\n")
    if row.torch:
        out.append(f"torch: `{signature(row.torch)}`\n")
    out.append("## Arguments\n")
    out.append("| MindSpore | torch | rule | translation | note |")
    out.append("|---|---|---|---|---|")
    for rule, summary in rule_summaries(row):
        out.append(f"| {_code(rule.mindspore)} | {_code(rule.torch)} | {rule.rule} | {_cell(summary)} | "
                   f"{_cell(rule.note)} |")
    if row.params:
        out.append("\n## Parameters\n")
        out.append("| MindSpore | torch | layout |")
        out.append("|---|---|---|")
        for pair in row.params:
            layout = (f"MindSpore has an extra size-1 axis {pair.mindspore_extra_axis}"
                      if pair.mindspore_extra_axis is not None else
                      "no counterpart" if not (pair.mindspore and pair.torch) else "same")
            out.append(f"| {_code(pair.mindspore)} | {_code(pair.torch)} | {layout} |")
    out.append("\n## Notes\n")
    out.append(row.note)
    if row.docs_correction:
        out.append(f"\n**MindSpore's published mapping is wrong here.** {row.docs_correction}")
    siblings = tables.family(row)
    if siblings:
        out.append("\n## Same family\n")
        out += [f"- [{r.id}]({r.id}.md): `{r.mindspore.name}` <-> `{r.torch.name if r.torch else '—'}`"
                for r in siblings]
    if row.examples:
        out.append("\n## Checked examples\n")
        for example in row.examples:
            args = {**dict(example.args), **dict(example.exprs)}
            call = ", ".join(f"{k}={v!r}" for k, v in args.items())
            context = f" with {dict(example.context)}" if example.context else ""
            out.append(f"- from {example.source}: `{_cell(call)}`{_cell(context)}")
    return "\n".join(out) + "\n"


def render_all(tables: Tables) -> dict[str, str]:
    """Relative path under ``docs/`` -> file content."""
    files = {INDEX: render_index(tables)}
    files.update({detail_path(row): render_row(row, tables) for row in tables.rows})
    return files


def stale_files(tables: Tables, docs_dir: Path) -> list[str]:
    """Generated files that are missing or differ, and detail pages no row produces any more."""
    expected = render_all(tables)
    stale = [path for path, text in expected.items()
             if not (docs_dir / path).is_file() or (docs_dir / path).read_text(encoding="utf-8") != text]
    detail = docs_dir / DETAIL_DIR
    if detail.is_dir():
        pages = (f"{DETAIL_DIR}/{p.name}" for p in detail.glob("*.md"))
        stale += sorted(page for page in pages if page not in expected)
    return stale


def write_docs(tables: Tables, docs_dir: Path) -> list[str]:
    """Write every generated file (and remove orphaned detail pages); return what changed."""
    changed = stale_files(tables, docs_dir)
    expected = render_all(tables)
    for path in changed:
        target = docs_dir / path
        if path in expected:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(expected[path], encoding="utf-8")
        else:
            target.unlink()
    return changed
