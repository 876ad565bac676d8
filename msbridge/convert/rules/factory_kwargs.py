"""torch's device/dtype dict unpacked into layers: ``dd = {'device': device, 'dtype': dtype}`` ... ``**dd``.

timm builds every layer as ``nn.BatchNorm2d(c, **dd)``; the call's arguments cannot be bound while
``**dd`` hides what they are, so every such call was left for review. In a function where a name
is bound once, to a dict display whose keys are only ``'device'``/``'dtype'``, and is used only as
``**name`` in calls, the assignment becomes ``msbridge.bridge.factory_kwargs.factory_kwargs(...)``:
on MindSpore the dict is empty (placement is per process; dtype None or float32 are the defaults)
and another dtype raises rather than computing in float32. So ``**name`` passes nothing, and a
framework call drops it and is translated as if it were absent (torch -> MindSpore only).
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.walk import walk

KEYS = ("device", "dtype")
HELPER = "msbridge.bridge.factory_kwargs.factory_kwargs"
API = "{'device': ..., 'dtype': ...}"
WHY = ("torch's device/dtype arguments: MindSpore places by context and builds in float32, so the dict "
       "is empty there (another dtype raises); calls that unpack it keep their defaults")


def _keys(node: cst.BaseExpression) -> list[tuple[str, cst.BaseExpression]] | None:
    if not isinstance(node, cst.Dict) or not node.elements:
        return None
    pairs = []
    for element in node.elements:
        if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.SimpleString):
            return None
        key = element.key.evaluated_value
        if key not in KEYS or any(k == key for k, _ in pairs):
            return None
        pairs.append((key, element.value))
    return pairs


class _Uses(cst.CSTVisitor):
    """Every binding and use of each name in a function body (nested functions included)."""

    def __init__(self):
        self.dicts: dict[str, list[cst.Assign]] = {}
        self.bound: dict[str, int] = {}
        self.unpacked: dict[str, int] = {}
        self.loads: dict[str, int] = {}

    def visit_Assign(self, node):
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                name = target.target.value
                self.bound[name] = self.bound.get(name, 0) + 1
                if len(node.targets) == 1 and _keys(node.value) is not None:
                    self.dicts.setdefault(name, []).append(node)

    def visit_Arg(self, node):
        if node.star == "**" and isinstance(node.value, cst.Name):
            self.unpacked[node.value.value] = self.unpacked.get(node.value.value, 0) + 1

    def visit_Name(self, node):
        self.loads[node.value] = self.loads.get(node.value, 0) + 1


def factory_dicts(function: cst.FunctionDef) -> dict[int, str]:
    """id(assignment) -> name for each device/dtype dict of ``function`` that is only ever unpacked."""
    uses = _Uses()
    walk(function.body, uses)
    found = {}
    for name, assigns in uses.dicts.items():
        # one binding; every other mention of the name is a `**name` (the assignment target is one Name)
        if len(assigns) == 1 and uses.bound.get(name) == 1 and uses.unpacked.get(name, 0) >= 1 \
                and uses.loads.get(name, 0) == 1 + uses.unpacked[name]:
            found[id(assigns[0])] = name
    return found


class FactoryKwargs:
    """The rewriter's view: which names of the enclosing functions are device/dtype dicts."""

    def __init__(self, rewriter):
        self.rewriter = rewriter
        self.stack: list[dict[int, str]] = []

    def enter_function(self, node: cst.FunctionDef) -> None:
        self.stack.append(factory_dicts(node) if self.rewriter.target == "mindspore" else {})

    def leave_function(self) -> None:
        self.stack.pop()

    def _names(self) -> set[str]:
        return {name for frame in self.stack for name in frame.values()}

    def assignment(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        """``dd = {...}`` -> ``dd = factory_kwargs(device=..., dtype=...)``."""
        if not self.stack or id(original) not in self.stack[-1]:
            return updated
        pairs = _keys(updated.value)
        if pairs is None:
            return updated
        helper = self.rewriter.needs.reference(HELPER)
        args = [cst.Arg(value=value, keyword=cst.Name(key), equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
            for key, value in pairs]
        self.rewriter.record(original, API, rpt.CONVERTED, HELPER, WHY)
        return updated.with_changes(value=cst.Call(func=helper, args=args))

    def strip(self, call: cst.Call) -> cst.Call:
        """``call`` without its ``**dd`` arguments (what they pass on MindSpore: nothing)."""
        names = self._names()
        if not names:
            return call
        args = [a for a in call.args if not (a.star == "**" and isinstance(a.value, cst.Name)
                                             and a.value.value in names)]
        if len(args) == len(call.args):
            return call
        if args:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return call.with_changes(args=args)
