"""MindSpore's operator-instance idiom: ``self.mean = ops.ReduceMean(keep_dims=True)`` in ``__init__``,
then ``self.mean(x, 1)`` in ``construct`` (or inline ``P.ReduceMean(True)(x, 1)``).

An operator class computes what one functional call computes, with the constructor's
arguments folded in: ``ops.ReduceMean(keep_dims=True)(x, 1)`` is ``ops.mean(x, 1, keep_dims=True)``.
The ``[[primitive]]`` entries of ``mapping_tables/ops.toml`` say which call, and how the
constructor's and the call's arguments fill the functional's (``args``: functional parameter ->
constructor or call parameter); ``condition`` (over the constructor's literal arguments) says
when the entry holds (``BatchMatMul`` only without ``transpose_a``/``transpose_b``). The converter
rewrites each USE of the instance into that functional call, which the functional's table row
then translates; tests/convert/test_primitives.py checks every entry on MindSpore itself.
This module is data access and argument folding only: no framework import.
"""
from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from typing import Any

from msbridge.tables import expr
from msbridge.tables.loader import DEFAULT_DIR
from msbridge.tables.records import Param

_KEYS = ("name", "init", "call", "functional", "args", "condition", "note", "examples", "swap_last_two")
_EXAMPLE_KEYS = ("init", "call", "inputs")


class PrimitiveError(ValueError):
    """A bad ``[[primitive]]`` entry; the message names the file and the entry."""


@dataclass(frozen=True)
class PrimitiveExample:
    init: tuple[tuple[str, Any], ...]
    call: tuple[Any, ...]
    inputs: tuple[dict, ...]


@dataclass(frozen=True)
class Primitive:
    name: str                              # mindspore.ops.ReduceMean
    init: tuple[Param, ...]                # constructor parameters
    call: tuple[Param, ...]                # parameters of the instance call
    functional: str                        # mindspore.ops.mean
    args: tuple[tuple[str, str], ...]      # functional parameter -> constructor or call parameter
    condition: str | None = None
    note: str = ""
    examples: tuple[PrimitiveExample, ...] = ()
    # call parameter -> constructor flag: when the flag is True, that operand's last two axes are
    # swapped first (``BatchMatMul(transpose_b=True)(x, y)`` is ``matmul(x, swapaxes(y, -2, -1))``)
    swap_last_two: tuple[tuple[str, str], ...] = ()

    def holds(self, init_values: dict) -> bool | None:
        """Whether ``condition`` holds for these constructor values (defaults filled); None: unknowable."""
        if not self.condition:
            return True
        env = {p.name: p.default for p in self.init if p.default is not Param.REQUIRED}
        env.update(init_values)
        try:
            return bool(expr.evaluate(self.condition, env))
        except expr.ExprError:
            return None


def _param(where: str, spec: str) -> Param:
    name, sep, default = spec.partition("=")
    if not name.strip().isidentifier():
        raise PrimitiveError(f"{where}: {spec!r} is not 'name' or 'name=<literal>'")
    return Param(name.strip(), expr.evaluate(default) if sep else Param.REQUIRED)


def _entry(where: str, data: dict) -> Primitive:
    unknown = sorted(set(data) - set(_KEYS))
    if unknown or not {"name", "init", "call", "functional", "args"} <= set(data):
        raise PrimitiveError(f"{where}: keys {sorted(data)}; allowed {_KEYS}, name/init/call/functional/args required")
    init = tuple(_param(where, s) for s in data["init"])
    call = tuple(_param(where, s) for s in data["call"])
    names = {p.name for p in (*init, *call)}
    bad = sorted(set(data["args"].values()) - names)
    if bad:
        raise PrimitiveError(f"{where}: args read {bad}, which are neither constructor nor call parameters")
    swap = data.get("swap_last_two", {})
    if not set(swap) <= {p.name for p in call} or not set(swap.values()) <= {p.name for p in init}:
        raise PrimitiveError(f"{where}: swap_last_two maps call parameters to constructor flags")
    if data.get("condition"):
        free = expr.free_names(data["condition"]) - {p.name for p in init}
        if free:
            raise PrimitiveError(f"{where}: condition reads {sorted(free)}: only constructor parameters")
    examples = tuple(PrimitiveExample(tuple(e.get("init", {}).items()), tuple(e["call"]), tuple(e.get("inputs", [])))
                     for e in data.get("examples", []))
    return Primitive(data["name"], init, call, data["functional"], tuple(data["args"].items()),
                     data.get("condition"), data.get("note", ""), examples, tuple(swap.items()))


@functools.lru_cache(maxsize=4)
def primitives(directory: str | None = None) -> dict[str, tuple[Primitive, ...]]:
    """Every ``[[primitive]]`` entry by operator class name (entries for one class in file order)."""
    found: dict[str, tuple[Primitive, ...]] = {}
    for path in sorted((DEFAULT_DIR if directory is None else __import__("pathlib").Path(directory)).glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for i, entry in enumerate(data.get("primitive", [])):
            prim = _entry(f"{path.name}: primitive #{i + 1} ({entry.get('name', '?')})", entry)
            found[prim.name] = found.get(prim.name, ()) + (prim,)
    return found


def bind(params: tuple[Param, ...], positional: list, keywords: dict) -> dict | None:
    """Which parameter each argument fills (Python's rules); None when the arguments do not fit."""
    if len(positional) > len(params):
        return None
    bound = {p.name: v for p, v in zip(params, positional)}
    for key, value in keywords.items():
        if key in bound or all(p.name != key for p in params):
            return None
        bound[key] = value
    if any(p.required and p.name not in bound for p in params):
        return None
    return bound


def swapped(prim: Primitive, init_values: dict) -> set[str]:
    """Call parameters whose last two axes are swapped first, for these (literal) constructor values."""
    defaults = {p.name: p.default for p in prim.init}
    return {operand for operand, flag in prim.swap_last_two if init_values.get(flag, defaults.get(flag)) is True}


def functional_arguments(prim: Primitive, init_given: dict, call_given: dict, swap=None, init_values=None) -> dict:
    """The functional call's arguments (functional parameter -> value), in the entry's order:
    only those the user gave, in the constructor or in the call (the functional's own defaults
    mean the same as the operator's; tests/convert/test_primitives.py checks the omitted ones).
    ``swap(value)`` wraps an operand whose last two axes the operator swaps (``swap_last_two``);
    ``init_values`` are the constructor's values (``init_given`` when these are values, not code)."""
    flipped = swapped(prim, init_given if init_values is None else init_values)
    call_given = {k: swap(v) if k in flipped else v for k, v in call_given.items()}
    out = {}
    for functional_param, source in prim.args:
        if source in init_given:
            out[functional_param] = init_given[source]
        elif source in call_given:
            out[functional_param] = call_given[source]
    return out


def entry_for(name: str, init_given: dict) -> Primitive | None:
    """The entry for operator class ``name`` whose condition holds for these constructor values."""
    for prim in primitives().get(name, ()):
        if prim.holds(init_given) is True and all(init_given.get(flag, False) in (True, False, None)
                                                   for _, flag in prim.swap_last_two):
            return prim
    return None


def known(name: str | None) -> bool:
    return name is not None and name in primitives()
