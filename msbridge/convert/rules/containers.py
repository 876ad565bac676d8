"""Containers (SequentialCell <-> Sequential, CellList <-> ModuleList, CellDict <-> ModuleDict) and Parameter.

Why a rule and not only a row: what a container accepts depends on the SHAPE of its
argument, which a row's argument rules cannot say (measured, MindSpore 2.10 / torch 2.13):

* ``SequentialCell`` takes cells as varargs, one list or one OrderedDict; torch's
  ``Sequential`` takes varargs or one OrderedDict and rejects a list. To torch a list
  literal is unpacked into arguments, a list comprehension or a name bound only to lists
  is passed as ``*name``; anything whose shape is not known goes to msbridge's twin
  ``msbridge.mindspore.nn.SequentialCell`` (a torch Sequential that also takes one list).
* ``ModuleList`` takes any iterable, ``CellList`` only a list: to MindSpore anything
  but a list literal/comprehension is wrapped in ``list(...)`` (a copy, as ModuleList makes).
* ``CellDict`` refuses containers as values, ``ModuleDict`` accepts them.
* ``Parameter``: the data must already be a tensor of the target framework (its
  producer converted); to torch, data not known to be one (numpy, a list, a helper's result)
  is wrapped in ``torch.as_tensor`` as MindSpore's Parameter makes a tensor of it; and ``name=`` only drops silently where MindSpore would have
  renamed it anyway (a Parameter assigned to ``self.<attr>``).
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.bindings import SOURCE, TARGET
from msbridge.tables import ApiRow

SEQUENTIAL = ("mindspore.nn.SequentialCell", "torch.nn.Sequential")
LISTS = ("mindspore.nn.CellList", "torch.nn.ModuleList")
DICTS = ("mindspore.nn.CellDict", "torch.nn.ModuleDict")
CONTAINERS = SEQUENTIAL + LISTS + DICTS
PARAMETER = ("mindspore.Parameter", "torch.nn.Parameter")
SEQUENTIAL_TWIN = "msbridge.mindspore.nn.SequentialCell"
ORDERED_DICT = "collections.OrderedDict"


def call(rw, original: cst.Call, updated: cst.Call, public: str, rows: tuple[ApiRow, ...]):
    """The rewritten call (recorded), or None when this rule does not apply to ``public``."""
    if public in CONTAINERS:
        row = next((r for r in rows if r.category == "container"), None)
        return None if row is None else _container(rw, original, updated, public, row)
    if public in PARAMETER and rows:
        return _parameter(rw, original, updated, public, rows[0])
    return None


def reference_problem(public: str, target: str) -> str | None:
    """Why a container class used as a base class cannot just be renamed (annotations and isinstance can)."""
    if public == "mindspore.nn.SequentialCell" and target == "torch":
        return ("its calls (super().__init__(...) too) may pass one list, which torch's Sequential rejects: "
                "pass the cells as *list")
    return None


# ---- containers -------------------------------------------------------------------------------------
def _container(rw, original, updated, public, row):
    target = row.side(rw.target).name
    args = list(updated.args)
    if any(a.keyword is not None for a in args):
        return _review(rw, original, updated, public, f"keyword arguments ({_keywords(args)}) have no "
                                                      f"{target} counterpart: port them by hand")
    single = args[0] if len(args) == 1 and not args[0].star else None
    source_single = original.args[0].value if single is not None else None
    if public in SEQUENTIAL and rw.target == "torch" and single is not None:
        value = single.value
        if isinstance(value, cst.List):
            args = _unpacked(value)
            updated = updated.with_changes(whitespace_before_args=value.lbracket.whitespace_after)
        elif _is_list(rw, source_single):
            args = [single.with_changes(star="*")]
        elif not (_is_ordered_dict(rw, source_single) or rw.bindings.kind(source_single) == TARGET):
            # the shape is known only at run time: msbridge's twin takes a list, an OrderedDict or a module
            rw.record(original, public, rpt.CONVERTED, SEQUENTIAL_TWIN,
                      f"`{rw.code_of(value)}` may be a list, which torch's Sequential rejects: msbridge's twin "
                      "takes a list, an OrderedDict or one module, as SequentialCell does")
            return updated.with_changes(func=rw.needs.reference(SEQUENTIAL_TWIN))
    if public in LISTS and rw.target == "mindspore" and single is not None \
            and not _is_list(rw, source_single):
        args = [single.with_changes(value=cst.Call(func=cst.Name("list"), args=[cst.Arg(single.value)]))]
    if public in DICTS and rw.target == "mindspore" and single is not None:
        held = _dict_values(source_single)
        if held is None or any(_container_name(rw, v) for v in held) or any(
                not isinstance(v, cst.Call) for v in held):
            return _review(rw, original, updated, public,
                           "MindSpore's CellDict refuses a CellList/SequentialCell/CellDict value and takes only "
                           "cells: check the values, then write mindspore.nn.CellDict")
    rw.record(original, public, rpt.CONVERTED, target)
    return updated.with_changes(func=rw.needs.reference(target), args=args)


def _unpacked(value: cst.List) -> list[cst.Arg]:
    """``[a, b]`` as the arguments ``a, b`` (comments and line breaks inside the brackets kept)."""
    args = [cst.Arg(value=e.value, star="*" if isinstance(e, cst.StarredElement) else "", comma=e.comma)
            for e in value.elements]
    if args:
        args[-1] = args[-1].with_changes(whitespace_after_arg=value.rbracket.whitespace_before)
    return args


def _is_list(rw, node, seen: frozenset = frozenset()) -> bool:
    """A list literal or comprehension, ``list(...)``, or a name every binding of which is one of these
    (``layers += more`` keeps a list a list: ``seen`` names count as lists inside their own bindings)."""
    if isinstance(node, (cst.List, cst.ListComp)):
        return True
    if isinstance(node, cst.BinaryOperation):   # [a] * n, layers + [b]
        return _is_list(rw, node.left, seen) or _is_list(rw, node.right, seen)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "list" \
            and rw.imports.resolve(node.func) is None:
        return True
    if isinstance(node, cst.Name):
        if node.value in seen:
            return True
        values = rw.bindings.assigned_values(node)
        return bool(values) and all(_is_list(rw, v, seen | {node.value}) for v in values)
    return False


def _is_ordered_dict(rw, node) -> bool:
    if isinstance(node, cst.Call):
        return rw.imports.resolve(node.func) == ORDERED_DICT
    if isinstance(node, cst.Name):
        values = rw.bindings.assigned_values(node)
        return bool(values) and all(_is_ordered_dict(rw, v) for v in values if v is not node)
    return False


def _dict_values(node) -> list | None:
    """The values of a dict literal or of a list/tuple literal of (key, value) pairs; None otherwise."""
    if isinstance(node, cst.Dict):
        return [e.value for e in node.elements if isinstance(e, cst.DictElement)] \
            if all(isinstance(e, cst.DictElement) for e in node.elements) else None
    if isinstance(node, (cst.List, cst.Tuple)):
        values = []
        for e in node.elements:
            if not isinstance(e.value, cst.Tuple) or len(e.value.elements) != 2:
                return None
            values.append(e.value.elements[1].value)
        return values
    return None


def _container_name(rw, node) -> bool:
    return isinstance(node, cst.Call) and rw.imports.resolve(node.func) in CONTAINERS


def _keywords(args) -> str:
    return ", ".join(a.keyword.value for a in args if a.keyword is not None)


def _review(rw, original, updated, public, why: str):
    rw.record(original, public, rpt.REVIEW, None, why)
    return updated


# ---- Parameter --------------------------------------------------------------------------------------
def _parameter(rw, original, updated, public, row: ApiRow):
    source_ref = row.side(rw.source)
    data_name = source_ref.params[0].name if source_ref.params else None
    data = _argument(original, 0, data_name)
    target = row.side(rw.target).name
    kind = rw.bindings.kind(data) if data is not None else None
    if data is not None and kind != TARGET and kind != SOURCE and rw.target == "torch" \
            and not _int_literal(data):
        # numpy data, a list, a helper's result: MindSpore's Parameter makes a tensor of it, as
        # torch.as_tensor does (same dtype: float32 for Python floats, the array's own otherwise)
        updated = _data_as_tensor(rw, original, updated, data_name)
        kind = TARGET
    if data is not None and kind is None and _tensor_and_scalars(rw, data):
        kind = TARGET   # `scale * torch.randn(w, d)` (CLIP, ConvNeXt): still a tensor of the target framework
    if data is None or kind != TARGET:
        what = f"`{rw.code_of(data)}`" if data is not None else "no data"
        return _review(rw, original, updated, public,
                       f"{what} is not known to become a {_NAMES[rw.target]} tensor: {target} needs one "
                       f"(convert or rewrite what builds it)")
    if rw.target == "torch":
        named = [a for a in updated.args if a.keyword is not None and a.keyword.value == "name"] or \
            [a for i, a in enumerate(updated.args) if a.keyword is None and i == 1]
        if named:
            if not rw.assign_of.get(id(original), "").startswith("self."):
                return _review(rw, original, updated, public,
                               "name= matters to MindSpore here (the Parameter is not assigned to self.<attr>, where "
                               "both frameworks name it by the attribute path): torch.nn.Parameter has no name")
            updated = updated.with_changes(args=_without(updated.args, named[0]))
    return rw.by_row(original, updated, public, row)


_ARITHMETIC = (cst.Multiply, cst.Add, cst.Subtract, cst.Divide, cst.Power)


def _tensor_and_scalars(rw, node, depth=0) -> bool:
    """``node`` is arithmetic of one target-framework tensor with Python numbers: a number, ``-x``, or a
    name every assignment of which is arithmetic of numbers and such names (``scale = width ** -0.5``).
    Both frameworks keep the tensor's float32 there. A name that may hold an array is not a number:
    numpy on the left of a MindSpore tensor gives an ndarray, on the right MindSpore's ``*`` raises."""
    if depth > 4:
        return False
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        return _tensor(rw, node.expression, depth + 1)
    if not isinstance(node, cst.BinaryOperation) or not isinstance(node.operator, _ARITHMETIC):
        return False
    sides = (node.left, node.right)
    return any(_tensor(rw, a, depth + 1) and _number(rw, b, depth) for a, b in (sides, sides[::-1]))


def _tensor(rw, node, depth) -> bool:
    return rw.bindings.kind(node) == TARGET or _tensor_and_scalars(rw, node, depth)


def _number(rw, node, depth=0) -> bool:
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        return _number(rw, node.expression, depth)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, _ARITHMETIC):
        return _number(rw, node.left, depth) and _number(rw, node.right, depth)
    if isinstance(node, cst.Name) and depth < 4:
        values = rw.bindings.assigned_values(node)
        if values is None:   # a function's parameter: a number by its default or its annotation
            params = rw.bindings.parameters(node)
            return bool(params) and all(_number_parameter(rw, p) for p in params)
        return bool(values) and all(_number(rw, v, depth + 1) for v in values)
    return False


def _number_parameter(rw, param: cst.Param) -> bool:
    """``width=512`` or ``width: int`` (CLIP's ``VisionTransformer(input_resolution: int, ...)``)."""
    if param.annotation is not None:
        hint = param.annotation.annotation
        return isinstance(hint, cst.Name) and hint.value in ("int", "float")
    return param.default is not None and isinstance(param.default, (cst.Integer, cst.Float))


def _int_literal(node) -> bool:
    """An int: MindSpore makes an int64 Parameter of it; torch refuses gradients for integer tensors."""
    return isinstance(node, cst.Integer) or (isinstance(node, cst.UnaryOperation)
                                             and isinstance(node.expression, cst.Integer))


def _data_as_tensor(rw, original: cst.Call, updated: cst.Call, name: str | None) -> cst.Call:
    """``updated`` with its data argument (the first, or ``name=``) wrapped in ``torch.as_tensor(...)``."""
    position = next(i for i, a in enumerate(original.args)
                    if (a.keyword is not None and a.keyword.value == name) or a.keyword is None)
    args = list(updated.args)
    wrapped = cst.Call(func=rw.needs.reference("torch.as_tensor"), args=[cst.Arg(args[position].value)])
    args[position] = args[position].with_changes(value=wrapped)
    return updated.with_changes(args=args)


def _argument(call: cst.Call, position: int, name: str | None):
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    plain = [a.value for a in call.args if a.keyword is None and not a.star]
    return plain[position] if position < len(plain) and not any(a.star for a in call.args) else None


def _without(args, dropped: cst.Arg) -> list[cst.Arg]:
    kept = [a for a in args if a is not dropped]
    if kept and kept[-1].comma is not cst.MaybeSentinel.DEFAULT:
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return kept


_NAMES = {"torch": "torch", "mindspore": "MindSpore"}
