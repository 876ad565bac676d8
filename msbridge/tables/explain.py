"""``msbridge explain <api>``: a row as a person reads it."""
from __future__ import annotations

import textwrap

from msbridge.errors import UserError
from msbridge.tables.describe import TORCH_STEP_MEANING, conditions, exactness_line, rule_summaries, signature
from msbridge.tables.loader import Tables
from msbridge.tables.records import ApiRow

_WIDTH = 100


def _wrap(text: str, indent: str = "    ") -> str:
    return textwrap.fill(text, _WIDTH, initial_indent=indent, subsequent_indent=indent)


def explain_row(row: ApiRow, tables: Tables | None = None) -> str:
    torch_name = row.torch.name if row.torch else "(no torch counterpart)"
    lines = [f"{row.mindspore.name}  <->  {torch_name}",
             f"  row {row.id} ({row.file}); kind: {row.kind}; exactness: {exactness_line(row)}"]
    lines.append(_wrap(f"why: {row.exactness_reason}"))
    if row.paradigm:
        lines.append(f"  paradigm: {row.paradigm}")
    if row.torch_step:
        lines.append(f"  torch stepping: {TORCH_STEP_MEANING[row.torch_step]}")
    if row.torch_optimizer_lr:
        lines.append(f"  torch optimizer lr: {row.torch_optimizer_lr}")
    if row.context:
        lines.append(f"  needs: {', '.join(row.context)}")
    lines += [f"  {line}" for line in conditions(row)]
    lines.append(f"  MindSpore: {signature(row.mindspore)}")
    if row.torch:
        lines.append(f"  torch:     {signature(row.torch)}")
    lines.append("  arguments (MindSpore | torch: translation):")
    for rule, summary in rule_summaries(row):
        left = f"{rule.mindspore or '-'} | {rule.torch or '-'}"
        lines.append(f"    {left:34s} {summary}")
        if rule.note:
            lines.append(_wrap(rule.note, " " * 39))
    lines.append("  caveats:")
    lines.append(_wrap(row.note))
    if row.docs_correction:
        lines.append(_wrap(f"MindSpore's published mapping is wrong here: {row.docs_correction}"))
    siblings = tables.family(row) if tables else ()
    if siblings:
        lines.append(f"  same family ({row.family}): {', '.join(r.id for r in siblings)}")
    return "\n".join(lines)


def explain(tables: Tables, api: str) -> str:
    """Every row for ``api`` (a qualified name, a unique suffix such as ``nn.Adam``, or a row id)."""
    rows = tables.rows_for(api)
    if not rows:
        try:
            rows = (tables.row(api),)
        except KeyError:
            matches = sorted(name for name in tables.api_names if name.endswith("." + api) or name == api)
            if len(matches) == 1:
                rows = tables.rows_for(matches[0])
            elif matches:
                raise UserError(f"{api!r} is ambiguous: {', '.join(matches)}") from None
            else:
                raise UserError(f"no mapping row for {api!r}; `msbridge tables list` shows the known APIs") from None
    return "\n\n".join(explain_row(row, tables) for row in rows)
