"""Validate a parameter map: the ``params`` list of a layer row (or of a ``[[layer]]`` table).

One parser for both places, so the layer tests, the converter's whole-model checks and the
checkpoint converter read parameter maps with the same rules.
"""
from __future__ import annotations

from typing import Callable

from msbridge.tables.records import FILLS, LAYOUTS, ParamEntry

ENTRY_KEYS = ("mindspore", "torch", "ndim", "layout", "optional", "fill", "note")

Fail = Callable[[str, str], Exception]  # (field, message) -> the error to raise


def parse_entries(fail: Fail, data) -> tuple[ParamEntry, ...]:
    """Every entry of a ``params`` list, validated; names unique on each side."""
    if not isinstance(data, list) or not data:
        raise fail("params", "expected a non-empty list of parameter tables")
    entries = tuple(_entry(fail, f"params[{i}]", item) for i, item in enumerate(data))
    for side in ("mindspore", "torch"):
        names = [getattr(e, side) for e in entries if getattr(e, side)]
        duplicate = next((n for n in names if names.count(n) > 1), None)
        if duplicate:
            raise fail("params", f"{side} name {duplicate!r} appears twice")
    return entries


def _entry(fail: Fail, field: str, data) -> ParamEntry:
    def error(key, message):
        return fail(f"{field}.{key}" if key else field, message)

    if not isinstance(data, dict):
        raise error("", "expected a table")
    unknown = sorted(set(data) - set(ENTRY_KEYS))
    if unknown:
        raise error(unknown[0], f"unknown key; allowed keys: {', '.join(ENTRY_KEYS)}")
    ms, pt = data.get("mindspore"), data.get("torch")
    for key, name in (("mindspore", ms), ("torch", pt)):
        if name is not None and (not isinstance(name, str) or not name.replace("*", "x").isidentifier()):
            raise error(key, f"{name!r} is not a leaf parameter name")
    if ms is None and pt is None:
        raise error("mindspore", "an entry names at least one side")
    if "*" in (ms or "") + (pt or "") and ms != pt:
        raise error("torch", "a '*' pattern must be spelled the same on both sides")
    layout = data.get("layout", "same")
    if layout not in LAYOUTS:
        raise error("layout", f"{layout!r} is not one of {', '.join(LAYOUTS)}")
    ndim = data.get("ndim")
    if ndim is not None and (not isinstance(ndim, int) or isinstance(ndim, bool) or ndim < 0):
        raise error("ndim", f"expected a rank (int >= 0), got {ndim!r}")
    if layout == "insert_axis_2" and (ndim is None or ndim < 2):
        raise error("ndim", "layout 'insert_axis_2' needs the torch rank (>= 2)")
    fill = data.get("fill")
    if (fill is not None) != (ms is None):
        raise error("fill", "a torch-only entry (no mindspore name) needs a fill, and only it")
    if fill is not None and fill not in FILLS:
        raise error("fill", f"{fill!r} is not one of {', '.join(FILLS)}")
    if pt is None:
        raise error("torch", "MindSpore-only parameters are not supported yet: name the torch side")
    optional = data.get("optional", False)
    if not isinstance(optional, bool):
        raise error("optional", f"expected true or false, got {optional!r}")
    note = data.get("note", "")
    if not isinstance(note, str):
        raise error("note", f"expected a string, got {note!r}")
    return ParamEntry(ms, pt, ndim, layout, optional, fill, note)


def parse_inner(fail: Fail, inner) -> str:
    """``mindspore_inner``: the dotted path of the child cell that holds the parameters in MindSpore."""
    if not isinstance(inner, str) or (inner and not all(p.isidentifier() or p.isdigit() for p in inner.split("."))):
        raise fail("mindspore_inner", f"expected a dotted cell path, got {inner!r}")
    return inner


def parse_infer(fail: Fail, infer) -> bool:
    """``infer``: false when the layer is chosen only from a live model's class, never guessed from names."""
    if not isinstance(infer, bool):
        raise fail("infer", f"expected true or false, got {infer!r}")
    return infer
