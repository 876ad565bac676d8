"""Slices with a negative step on a tensor (MindSpore -> torch).

MindSpore's tensors take numpy's ``x[:, ::-1]``; torch's raise ValueError ("step must be greater than zero"). The
converted line failed, and nothing on it was reported (mindface's MultiBoxLoss: ``relative_position[:, ::-1]``).
A subscript with a negative literal step, on a receiver that is or may be a converted tensor (a function's
parameter counts: ``construct(self, x)`` takes tensors), becomes
``msbridge.bridge.tensor_methods.getitem(x, (slice(None, None, None), slice(None, None, -1)))``: on a torch tensor it
picks numpy's indices along that dimension (``index_select``, a copy, as MindSpore's slice is), anything else is
indexed as written. A write through such a slice (``x[::-1] = y``) is review. Left as written: any other receiver
(``shape[::-1]`` on a tuple is the common case), and the torch -> MindSpore direction.
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.bindings import TARGET

TWIN = "msbridge.bridge.tensor_methods.getitem"
WHY = ("MindSpore slices a tensor with a negative step as numpy does, torch raises ValueError: "
       "msbridge.bridge.tensor_methods.getitem picks the same elements on a torch tensor")


def _negative(step) -> bool:
    return isinstance(step, cst.UnaryOperation) and isinstance(step.operator, cst.Minus) \
        and isinstance(step.expression, cst.Integer) and int(step.expression.value, 0) > 0


def _item(element: cst.SubscriptElement) -> cst.BaseExpression | None:
    """The index object the element denotes: its value, or ``slice(lower, upper, step)``; None for ``*x``."""
    part = element.slice
    if isinstance(part, cst.Index):
        return part.value if part.star is None else None
    bounds = [part.lower, part.upper, part.step]
    return cst.Call(func=cst.Name("slice"), args=[
        cst.Arg(b if b is not None else cst.Name("None"),
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if i < 2 else cst.MaybeSentinel.DEFAULT)
        for i, b in enumerate(bounds)])


def _tensor(rw, node) -> bool:
    """May be a converted tensor: so typed, a name some assignment binds to one, a function's parameter
    (``construct(self, x)``'s ``x``), an element/slice of one, or arithmetic with one. (The twin indexes anything
    else as written, so a wrong guess costs nothing.)"""
    if isinstance(node, cst.Subscript):
        return _tensor(rw, node.value)
    if isinstance(node, cst.BinaryOperation):
        return _tensor(rw, node.left) or _tensor(rw, node.right)
    if rw.bindings.kind(node) == TARGET:
        return True
    return isinstance(node, cst.Name) and node.value not in ("self", "cls") \
        and (rw.bindings.may_be(node, TARGET) or rw.bindings.parameters(node) is not None)


def subscript(rw, original: cst.Subscript, updated: cst.Subscript):
    """The ``getitem(...)`` call, ``updated`` marked review (a write), or None (not ours)."""
    if rw.target != "torch" or rw.bindings is None:
        return None
    if not any(isinstance(e.slice, cst.Slice) and _negative(e.slice.step) for e in original.slice):
        return None
    if not _tensor(rw, original.value):
        return None
    if id(original) in rw.written_attributes:
        rw.record(original, "[::-n]", rpt.REVIEW, None,
                  "a write through a slice with a negative step: torch refuses such a slice (ValueError); "
                  "write through torch.flip or an index tensor")
        return updated
    items = [_item(e) for e in updated.slice]
    if any(i is None for i in items):
        return None
    rw.record(original, "[::-n]", rpt.CONVERTED, TWIN, WHY)
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    index = cst.Tuple([cst.Element(items[0], comma=cst.Comma())] if len(items) == 1 else
                      [cst.Element(i, comma=comma if n < len(items) - 1 else cst.MaybeSentinel.DEFAULT)
                       for n, i in enumerate(items)])
    return cst.Call(func=rw.needs.reference(TWIN),
                    args=[cst.Arg(updated.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                          cst.Arg(index)])
