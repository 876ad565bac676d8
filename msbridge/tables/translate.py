"""Apply a row to concrete argument values: one API's call -> its counterpart's keyword arguments.

Framework-free (pure Python over the records), so the runtime bridge, the CLI and the tests
share one implementation. Emission follows MindConverter's rule: a target argument is written
when the user set one of its sources, when its value differs from the target's default, or
when the target requires it -- so differing defaults are carried over even when omitted.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Mapping

from msbridge.tables import expr
from msbridge.tables.records import CARRIER_PARAMS, CONTEXT_NAMES, ApiRef, ApiRow, Param

__all__ = ["Translation", "UnsupportedArgument", "RowDoesNotApply", "bind", "translate", "translate_call", "same_value"]

_SIDES = {"to_torch": ("mindspore", "torch"), "to_mindspore": ("torch", "mindspore")}


class UnsupportedArgument(ValueError):
    """The call sets an argument the counterpart cannot express; the message says what to do."""


class RowDoesNotApply(ValueError):
    """The row's condition is false for these arguments, or it does not translate this way."""


@dataclass(frozen=True)
class Translation:
    """The counterpart call: ``api(**kwargs)``; ``optimizer_lr`` goes to the torch optimizer."""
    row: ApiRow = field(repr=False)
    direction: str
    api: str
    kwargs: dict
    optimizer_lr: Any = None
    dropped: tuple[tuple[str, str], ...] = field(default=())


def same_value(a: Any, b: Any) -> bool:
    """Equality that treats lists and tuples alike and never raises."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b) and type(a) is not bool and type(b) is not bool or (a is b)
    except Exception:  # noqa: BLE001 - exotic objects compare unequal
        return False


def _signature(api: ApiRef) -> inspect.Signature:
    params, kind_seen = [], False
    for p in api.params:
        if p.name in CARRIER_PARAMS:
            continue
        if p.var_keyword:
            params.append(inspect.Parameter(p.name, inspect.Parameter.VAR_KEYWORD))
            continue
        kind = inspect.Parameter.KEYWORD_ONLY if p.keyword_only else inspect.Parameter.POSITIONAL_OR_KEYWORD
        default = inspect.Parameter.empty if p.default is Param.REQUIRED else p.default
        params.append(inspect.Parameter(p.name, kind, default=default))
        kind_seen = kind_seen or p.keyword_only
    return inspect.Signature(params)


def bind(api: ApiRef, args: tuple = (), kwargs: Mapping | None = None) -> tuple[dict, dict]:
    """Bind a call (carrier arguments such as ``params``/``optimizer`` left out) to ``api``'s
    declared signature; return (explicitly given, all with defaults). TypeError like Python's."""
    try:
        bound = _signature(api).bind(*args, **dict(kwargs or {}))
    except TypeError as exc:
        raise TypeError(f"{api.name}: {exc}") from None
    given = dict(bound.arguments)
    bound.apply_defaults()
    return given, dict(bound.arguments)


def _default(api: ApiRef, name: str) -> Any:
    return api.param(name).default


def _context_read(row: ApiRow, direction: str) -> set[str]:
    """Context names the row's expressions for ``direction`` read."""
    if direction == "to_torch":
        texts = [r.to_torch for r in row.args] + [row.condition_to_torch, row.torch_optimizer_lr]
    else:
        texts = [r.to_mindspore for r in row.args] + [row.condition_to_mindspore]
    return {name for text in texts if text for name in expr.free_names(text)} & set(row.context)


def translate(row: ApiRow, direction: str, args: tuple = (), kwargs: Mapping | None = None,
              context: Mapping | None = None) -> Translation:
    """Translate a call of the row's ``direction`` source side into the other side's kwargs."""
    if direction not in _SIDES:
        raise ValueError(f"direction must be 'to_torch' or 'to_mindspore', got {direction!r}")
    if direction not in row.directions:
        raise RowDoesNotApply(f"row {row.id!r} does not translate {direction}")
    src_side, dst_side = _SIDES[direction]
    src, dst = row.side(src_side), row.side(dst_side)
    if dst is None:
        raise RowDoesNotApply(f"{src.name} has no torch counterpart: {row.note}")
    given, full = bind(src, args, kwargs)
    extra = {k: v for k, v in full.items() if src.param(k) and src.param(k).var_keyword}
    for name, values in extra.items():
        if values:
            raise UnsupportedArgument(f"{src.name}: keyword arguments {sorted(values)} "
                                      f"have no counterpart in {dst.name}")
    # the call's own arguments win over context names (the schema forbids reading a clashing name)
    env = {**dict(context or {}), **{k: v for k, v in full.items() if k not in extra}}
    missing = sorted(_context_read(row, direction) - set(env))
    if missing:
        needs = ", ".join(f"{name} ({CONTEXT_NAMES[name]})" for name in missing)
        raise RowDoesNotApply(f"row {row.id!r} needs context: {needs}")
    condition = row.condition_to_torch if direction == "to_torch" else row.condition_to_mindspore
    if condition and not expr.evaluate(condition, env):
        raise RowDoesNotApply(f"row {row.id!r} needs {condition!r}, which is false for these arguments ({row.note})")

    out: dict = {}
    dropped: list[tuple[str, str]] = []
    optimizer_lr = None
    for rule in row.args:
        src_name, dst_name = getattr(rule, src_side), getattr(rule, dst_side)
        expression = rule.to_torch if direction == "to_torch" else rule.to_mindspore
        if rule.rule == "unsupported":
            if src_name is not None and not same_value(full[src_name], _default(src, src_name)):
                raise UnsupportedArgument(f"{src.name}: {src_name}={full[src_name]!r} cannot be translated to "
                                          f"{dst.name}. {rule.note}")
            if src_name is not None and src_name in given:
                dropped.append((src_name, rule.note))
            if dst_name is None or expression is None:
                continue
        if dst_name is None:  # a source-only argument: dropped, with its note
            if src_name in given:
                dropped.append((src_name, rule.note))
            continue
        if expression is None or dst_name in out:
            continue
        value = expr.evaluate(expression, env)
        required = dst.param(dst_name).required
        user_set = bool(expr.free_names(expression) & set(given))
        if required or user_set or not same_value(value, _default(dst, dst_name)):
            out[dst_name] = value
    if direction == "to_torch" and row.torch_optimizer_lr:
        optimizer_lr = expr.evaluate(row.torch_optimizer_lr, env)
    ordered = {name: out[name] for name in dst.names if name in out}
    return Translation(row, direction, dst.name, ordered, optimizer_lr, tuple(dropped))


def translate_call(tables, api: str, direction: str, args: tuple = (), kwargs: Mapping | None = None,
                   context: Mapping | None = None, accept=None) -> Translation:
    """Translate a call of ``api`` with the first row (in table order) that applies.

    ``accept(row) -> bool`` narrows the candidates (e.g. only rows whose MindSpore side is a
    per-step list function). Raises RowDoesNotApply / UnsupportedArgument with every reason."""
    src_side = _SIDES[direction][0]
    candidates = [r for r in tables.rows_for(api)
                  if getattr(r.side(src_side), "name", None) == api and direction in r.directions
                  and (accept is None or accept(r))]
    if not candidates:
        raise RowDoesNotApply(f"no mapping row translates {api} {direction.replace('_', ' ')}")
    reasons, unsupported = [], None
    for row in candidates:
        try:
            return translate(row, direction, args, kwargs, context)
        except UnsupportedArgument as exc:
            unsupported = unsupported or exc
            reasons.append(f"{row.id}: {exc}")
        except RowDoesNotApply as exc:
            reasons.append(str(exc))
    if unsupported is not None and len(candidates) == 1:
        raise unsupported
    raise RowDoesNotApply(f"no row applies to this {api} call:\n  " + "\n  ".join(reasons))
