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

An exact type comparison, ``type(layer) == nn.Conv2d`` (kuangliu/pytorch-retinanet's ``msr_init``), becomes
``type(layer) in (mindspore.nn.Conv2d, Conv2d)`` where msbridge has a twin: a converted construction builds the
native layer or the twin (a subclass, for arguments known only at run time), and comparing with either one alone
skipped the other's layers silently. Subclasses stay excluded, as torch's comparison excludes them.
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.catalog import twin_subclasses

CHECKS = ("isinstance", "issubclass")
CLASS_CATEGORIES = ("layer", "loss", "container", "class", "optimizer", "tensor")   # "tensor": Parameter
CHECK, ANNOTATION, EXACT = "check", "annotation", "exact type"
_EQUAL, _UNEQUAL = (cst.Equal, cst.Is), (cst.NotEqual, cst.IsNot)


def mark_check(rewriter, call: cst.Call) -> None:
    """``isinstance(obj, T)``/``issubclass(C, T)`` with the builtin unshadowed: T (or a tuple's items) are types."""
    if not (isinstance(call.func, cst.Name) and call.func.value in CHECKS and len(call.args) == 2
            and call.func.value not in rewriter.needs.bound):   # every name the file binds (def, import, assignment)
        return
    _mark(rewriter, call.args[1].value, CHECK)


def _is_type_call(rewriter, node: cst.BaseExpression) -> bool:
    return (isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "type"
            and len(node.args) == 1 and "type" not in rewriter.needs.bound)


def mark_comparison(rewriter, node: cst.Comparison) -> None:
    """``type(x) == T`` / ``T is not type(x)``: T is compared as an exact type."""
    if len(node.comparisons) != 1 or not isinstance(node.comparisons[0].operator, _EQUAL + _UNEQUAL):
        return
    left, right = node.left, node.comparisons[0].comparator
    if _is_type_call(rewriter, left):
        _mark(rewriter, right, EXACT)
    elif _is_type_call(rewriter, right):
        _mark(rewriter, left, EXACT)


def comparison(rewriter, original: cst.Comparison, updated: cst.Comparison) -> cst.Comparison:
    """``type(x) == (native, twin)`` (what ``convert`` gave an exact type) -> ``type(x) in (native, twin)``."""
    if len(original.comparisons) != 1:
        return updated
    target = updated.comparisons[0]
    on_right = rewriter.type_refs.get(id(original.comparisons[0].comparator)) == EXACT
    on_left = rewriter.type_refs.get(id(original.left)) == EXACT
    types = target.comparator if on_right else updated.left if on_left else None
    if not isinstance(types, cst.Tuple):
        return updated
    old = target.operator
    operator = cst.In(whitespace_before=old.whitespace_before, whitespace_after=old.whitespace_after) \
        if isinstance(old, _EQUAL) else cst.NotIn(whitespace_before=old.whitespace_before,
                                                  whitespace_after=old.whitespace_after)
    if on_right:
        return updated.with_changes(comparisons=[target.with_changes(operator=operator)])
    return updated.with_changes(left=target.comparator, comparisons=[target.with_changes(operator=operator,
                                                                                         comparator=types)])


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
    if kind == EXACT and twin is not None:
        rewriter.record(original, public, rpt.CONVERTED, native,
                        f"compared as an exact type: against {native} and msbridge's twin (a conversion builds either)")
        return cst.Tuple([cst.Element(rewriter.needs.reference(native)), cst.Element(rewriter.needs.reference(twin))])
    if kind == CHECK and twin is not None and not twin_subclasses(twin, native):
        rewriter.record(original, public, rpt.CONVERTED, native,
                        f"named as a type: checked against {native} and msbridge's twin (a conversion builds either)")
        return cst.Tuple([cst.Element(rewriter.needs.reference(native)), cst.Element(rewriter.needs.reference(twin))])
    rewriter.record(original, public, rpt.CONVERTED, native, "named as a type")
    return rewriter.needs.reference(native)
