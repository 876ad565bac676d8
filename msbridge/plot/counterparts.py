"""The counterparts of an LR call in the other framework, as the mapping tables say.

Every row of ``mapping_tables/`` that translates this API in this direction
and applies to these arguments (its condition holds, no unsupported argument)
gives one counterpart; the rows' ``notes`` say why the others do not apply.
The plot then runs each counterpart in the real framework and measures the
difference, so a row's exactness claim is visible next to the measurement.
"""
from __future__ import annotations

from dataclasses import dataclass

from msbridge.plot.apis import TORCH
from msbridge.plot.expression import ApiCall
from msbridge.tables import ApiRow, load_tables
from msbridge.tables.expr import ExprError, substitute
from msbridge.tables.translate import RowDoesNotApply, Translation, UnsupportedArgument, bind, translate

_SIDES = {"to_torch": ("mindspore", "torch"), "to_mindspore": ("torch", "mindspore")}


@dataclass(frozen=True)
class Counterpart:
    """One table row's translation of the call: ``api(**kwargs)``, and how to step it."""

    row: ApiRow
    translation: Translation
    text: str  # how the legend shows the call, e.g. "StepLR(step_size=5, gamma=0.9)"

    @property
    def api(self) -> str:
        return self.translation.api


def find(call: ApiCall, context: dict) -> tuple[list[Counterpart], list[str]]:
    """The counterparts that apply to ``call``, and one note per row that does not.

    ``context``: the tables' context names (``steps_per_epoch``: for a torch source,
    the batches between its ``scheduler.step()`` calls).
    """
    direction = "to_mindspore" if call.api.framework == TORCH else "to_torch"
    source_side, _ = _SIDES[direction]
    found, notes = [], []
    for row in load_tables().rows_for(call.api.qualified):
        if row.side(source_side).name != call.api.qualified or direction not in row.directions:
            continue
        if direction == "to_mindspore" and row.torch_step == "step" and context.get("steps_per_epoch", 1) != 1:
            notes.append(f"row {row.id} does not apply: it needs the torch scheduler stepped every batch")
            continue
        try:
            translation = translate(row, direction, call.args, call.kwargs, context)
        except (RowDoesNotApply, UnsupportedArgument, ExprError, TypeError) as exc:  # TypeError: does not bind
            notes.append(f"row {row.id} does not apply: {exc}")
            continue
        found.append(Counterpart(row, translation, _call_text(row, translation, call, context)))
    if not found and not notes:
        notes.append(f"the mapping tables have no {direction.replace('_', ' ')} row for {call.api.qualified}")
    return found, notes


def _call_text(row: ApiRow, translation: Translation, call: ApiCall, context: dict) -> str:
    """``Name(k=v, ...)``; a function-valued argument shows the row's formula with the values filled in."""
    source_side, target_side = _SIDES[translation.direction]
    _, values = bind(row.side(source_side), call.args, call.kwargs)
    shown = {name: repr(value) for name, value in {**values, **context}.items()}
    parts = []
    for name, value in translation.kwargs.items():
        if callable(value):
            formula = next(
                getattr(rule, translation.direction)
                for rule in row.args
                if getattr(rule, target_side) == name and getattr(rule, translation.direction)
            )
            parts.append(f"{name}={substitute(formula, shown)}")
        elif isinstance(value, ApiCall):
            parts.append(f"{name}={value.text}")
        elif isinstance(value, (list, tuple)) and any(isinstance(v, ApiCall) for v in value):
            parts.append(f"{name}=[{', '.join(v.text if isinstance(v, ApiCall) else repr(v) for v in value)}]")
        else:
            parts.append(f"{name}={_short_repr(value)}")
    return f"{translation.api.rsplit('.', 1)[-1]}({', '.join(parts)})"


def _short_repr(value) -> str:
    text = repr(value)
    if isinstance(value, (list, tuple)) and len(text) > 60:
        return f"[{len(value)} values: {value[0]!r} ... {value[-1]!r}]"
    return text
