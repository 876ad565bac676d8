"""A framework class named as a type: ``isinstance(x, ms.Tensor)``, ``def f(x: torch.Tensor)``.

Why: a reference used without a call is normally ``review`` (its later calls may pass
source argument names), and the tensor type has no call row at all in one direction
(``torch.Tensor(2, 3)`` allocates, ``mindspore.Tensor(2)`` holds the number 2), so
the commonest reference in model code, the tensor type in annotations and
``isinstance`` checks, was marked and its file counted as not converted. In a type
position nothing is called:

* the tensor type goes to the other framework's tensor type (a ``type`` row: the
  tables' constructor row for ``mindspore.Tensor`` is ``torch.tensor``, a function);
* a class row (layer, loss, container, optimizer) goes to its native class; in an
  ``isinstance``/``issubclass`` check it becomes ``(native, twin)`` where msbridge has
  a twin of it that does not subclass the native class, because a converted construction may build either one
  (``nn.Dense(..., weight_init=...)`` becomes msbridge's ``Dense``): the check then
  answers as the original did for every object a conversion builds.

Annotations take the native class only (they are not evaluated for behaviour).
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.catalog import twin_subclasses

CHECKS = ("isinstance", "issubclass")
CLASS_CATEGORIES = ("layer", "loss", "container", "class", "optimizer", "tensor")   # "tensor": Parameter
CHECK, ANNOTATION = "check", "annotation"


def mark_check(rewriter, call: cst.Call) -> None:
    """``isinstance(obj, T)``/``issubclass(C, T)`` with the builtin unshadowed: T (or a tuple's items) are types."""
    if not (isinstance(call.func, cst.Name) and call.func.value in CHECKS and len(call.args) == 2
            and call.func.value not in rewriter.needs.bound):   # every name the file binds (def, import, assignment)
        return
    _mark(rewriter, call.args[1].value, CHECK)


def mark_annotation(rewriter, annotation: cst.Annotation) -> None:
    _mark(rewriter, annotation.annotation, ANNOTATION)


def _mark(rewriter, node: cst.BaseExpression, kind: str) -> None:
    if isinstance(node, (cst.Name, cst.Attribute)):
        rewriter.type_refs[id(node)] = kind
    elif isinstance(node, cst.Tuple) and kind == CHECK:
        for element in node.elements:
            _mark(rewriter, element.value, kind)
    elif isinstance(node, cst.Subscript) and kind == ANNOTATION:   # Optional[ms.Tensor], list[ms.Tensor]
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                _mark(rewriter, element.slice.value, kind)
    elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):   # ms.Tensor | None
        _mark(rewriter, node.left, kind)
        _mark(rewriter, node.right, kind)


def convert(rewriter, original: cst.CSTNode, name: str) -> cst.BaseExpression | None:
    """The target's type for source API ``name`` named in a type position, or None (not one, or no such type)."""
    kind = rewriter.type_refs.get(id(original))
    if kind is None:
        return None
    public = rewriter.catalog.public_name(name, rewriter.source)
    type_row = rewriter.catalog.type_row(name, rewriter.source)
    if type_row is not None:
        native = type_row.side(rewriter.target).name
        rewriter.record(original, rewriter.catalog.public_type_name(name, rewriter.source), rpt.CONVERTED, native,
                        "named as a type")
        return rewriter.needs.reference(native)
    row = next((r for r in rewriter.catalog.rows(name, rewriter.source)
                if r.category in CLASS_CATEGORIES and r.exactness not in ("approximate", "impossible")), None)
    if row is None:
        return None
    native = row.side(rewriter.target).name
    if not native.rpartition(".")[2][:1].isupper():   # a class row whose counterpart is a function
        return None
    twin = rewriter.catalog.mirror(public, rewriter.target)
    if kind == CHECK and twin is not None and not twin_subclasses(twin, native):
        rewriter.record(original, public, rpt.CONVERTED, native,
                        f"named as a type: checked against {native} and msbridge's twin (a conversion builds either)")
        return cst.Tuple([cst.Element(rewriter.needs.reference(native)), cst.Element(rewriter.needs.reference(twin))])
    rewriter.record(original, public, rpt.CONVERTED, native, "named as a type")
    return rewriter.needs.reference(native)
