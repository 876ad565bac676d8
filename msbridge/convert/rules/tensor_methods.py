"""MindSpore Tensor methods in model code whose torch namesakes differ (MindSpore -> torch).

``x.transpose(0, 2, 1)`` (a permutation; torch's transpose swaps exactly two axes),
``x.expand_dims(1)`` and ``x.astype(t)`` (no such torch methods), ``x.mean(1, keep_dims=True)`` and
``x.split(s, axis=1)`` (MindSpore's keyword names). The receiver is rarely known: a MindSpore tensor
(a torch tensor once converted) and a numpy array read alike. The call becomes
``msbridge.bridge.tensor_methods.<name>(x, ...)``, which dispatches at run time: MindSpore's meaning
in torch terms for a torch tensor, the receiver's own method for anything else. Calls already the
same in torch (``x.transpose(1, 0)``, ``x.mean(1, True)``) are left alone, and so are receivers that
are modules, ``self``, known non-framework objects, or objects whose class defines the method.
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.bindings import OTHER

TWINS = "msbridge.bridge.tensor_methods"


def _two_ints(call: cst.Call) -> bool:
    args = call.args
    return len(args) == 2 and all(a.keyword is None and not a.star for a in args) and all(
        isinstance(a.value, cst.Integer) or (isinstance(a.value, cst.UnaryOperation)
                                             and isinstance(a.value.expression, cst.Integer)) for a in args)


def _keyword(call: cst.Call, name: str) -> bool:
    return any(a.keyword is not None and a.keyword.value == name for a in call.args)


# method -> whether a call of it needs the twin (the others compute the same in torch)
NEEDS_TWIN = {
    "transpose": lambda call: not _two_ints(call) and not any(a.star for a in call.args),
    "expand_dims": lambda call: True,
    "astype": lambda call: True,
    "mean": lambda call: _keyword(call, "keep_dims"),
    "split": lambda call: _keyword(call, "axis"),
}


def applies(rw, call: cst.Call) -> bool:
    """Whether ``call`` (original node) is a Tensor method call this rule rewrites."""
    func = call.func
    if rw.target != "torch" or rw.bindings is None or not isinstance(func, cst.Attribute):
        return False
    attr, receiver = func.attr.value, func.value
    need = NEEDS_TWIN.get(attr)
    if need is None or not need(call) or rw.imports.resolve(receiver) is not None:
        return False
    if isinstance(receiver, cst.Name) and receiver.value in ("self", "cls", "super"):
        return False
    if rw.bindings.kind(receiver) == OTHER:
        return False
    cls = rw.bindings.class_of(receiver)
    return not (cls is not None and any(isinstance(s, cst.FunctionDef) and s.name.value == attr
                                        for s in cls.body.body))


def call(rw, original: cst.Call, updated: cst.Call):
    """The rewritten call (recorded), or None when this rule does not apply."""
    if not applies(rw, original):
        return None
    attr = original.func.attr.value
    twin = f"{TWINS}.{attr}"
    receiver = updated.func.value
    args = [cst.Arg(receiver, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))] if updated.args \
        else [cst.Arg(receiver)]
    rw.record(original, f".{attr}()", rpt.CONVERTED, twin,
              f"MindSpore's Tensor.{attr} on a torch tensor (the receiver's own method on anything else)")
    return updated.with_changes(func=rw.needs.reference(twin), args=[*args, *updated.args])
