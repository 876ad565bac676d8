"""``eval(...)``/``exec(...)`` of a string that names the source framework: code the converter cannot see.

mindocr writes ``def __init__(self, act="nn.GELU", norm_layer="nn.LayerNorm")`` and builds its blocks
with ``eval(act)``. The converter rewrites every ``nn.X`` it can see and drops ``import mindspore.nn as
nn`` once none is left, so the converted file fails with ``NameError: name 'nn' is not defined`` (or
evaluates a MindSpore class into a torch network). Such a call is marked ``review`` where it is: the
string must be replaced by the object it names. Strings looked at: the literals in the argument, and
the defaults or assigned values of the names it reads (``eval("logging.INFO")`` is left alone).
"""
from __future__ import annotations

import re

import libcst as cst

from msbridge.convert.scopes import Assignment, BuiltinAssignment, ImportAssignment

BUILTINS = ("eval", "exec")
DOTTED = re.compile(r"[A-Za-z_][\w.]*")
WHY = ("{name}() runs code held in a string that names {framework} ({text!r}): names in a string are not "
       "converted and their import may be gone: pass the object itself instead of its name")
FRAMEWORK_NAMES = {"torch": "torch", "mindspore": "MindSpore"}


def problem(rw, call: cst.Call) -> tuple[str, str] | None:
    """(the builtin's name, why) when ``call`` is the builtin ``eval``/``exec`` of a string naming the source
    framework; else None."""
    func = call.func
    if not isinstance(func, cst.Name) or func.value not in BUILTINS or rw.bindings is None or not call.args:
        return None
    found = rw.bindings._assignments(func)
    if not found or not all(isinstance(a, BuiltinAssignment) for a in found):
        return None   # a function of the file's own that happens to be called eval
    scope = rw.bindings.scopes.get(id(func))
    for text in _strings(rw, call.args[0].value):
        if scope is not None and any(_names_source(rw, scope, word) for word in DOTTED.findall(text)):
            return func.value, WHY.format(name=func.value, framework=FRAMEWORK_NAMES[rw.source], text=text)
    return None


def _names_source(rw, scope, word: str) -> bool:
    """``word`` (``nn.GELU``) read where the call is would resolve, through an import, to the source framework."""
    head = word.split(".", 1)[0]
    return any(rw.is_source(name) for a in scope[head] if isinstance(a, ImportAssignment)
               for name, _ in a.qualified_names(word))


def _strings(rw, node: cst.CSTNode) -> list[str]:
    """String literals in ``node``, and in the defaults/values bound to the names it reads."""
    found = []
    for child in _walk(node):
        if isinstance(child, cst.SimpleString):
            found.append(str(child.evaluated_value))
        elif isinstance(child, cst.Name):
            for assignment in rw.bindings._assignments(child) or ():
                bound = assignment.node if isinstance(assignment, Assignment) else None
                value = bound.default if isinstance(bound, cst.Param) else None
                if value is None and bound is not None:
                    value = (rw.bindings.assigned_values(child) or [None])[0]
                if isinstance(value, cst.SimpleString):
                    found.append(str(value.evaluated_value))
    return found


def _walk(node: cst.CSTNode):
    yield node
    for child in node.children:
        yield from _walk(child)
