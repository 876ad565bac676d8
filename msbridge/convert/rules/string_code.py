"""``eval(...)``/``exec(...)`` of a string: code the converter cannot see.

mindocr writes ``def __init__(self, act="nn.GELU", norm_layer="nn.LayerNorm")`` and builds its blocks
with ``eval(act)``. The converter rewrites every ``nn.X`` it can see and drops ``import mindspore.nn as
nn`` once none is left, so the converted file fails with ``NameError: name 'nn' is not defined`` (or
evaluates a MindSpore class into a torch network). Such a call is marked ``review`` where it is: the
string must be replaced by the object it names.
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert.scopes import BuiltinAssignment

BUILTINS = ("eval", "exec")
WHY = ("{name}() runs code held in a string: framework names in it (such as 'nn.GELU') are not converted and "
       "their import may be gone: pass the object itself instead of its name")


def problem(rw, call: cst.Call) -> tuple[str, str] | None:
    """(the builtin's name, why) when ``call`` is the builtin ``eval``/``exec``; else None."""
    func = call.func
    if not isinstance(func, cst.Name) or func.value not in BUILTINS or rw.bindings is None:
        return None
    found = rw.bindings._assignments(func)
    if not found or not all(isinstance(a, BuiltinAssignment) for a in found):
        return None   # a function of the file's own that happens to be called eval
    return func.value, WHY.format(name=func.value)
