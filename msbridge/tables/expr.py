"""The transform-expression language of the mapping tables, evaluated by our own walker.

Tables say things like ``1 - momentum`` or ``[m * steps_per_epoch for m in milestones]``.
We parse with ``ast.parse(mode="eval")`` and walk a whitelist of node types: no ``eval``,
no attribute access, no calls except the small function whitelist below, so a table can
never run arbitrary code. Arithmetic is Python's own (float64), so a translation computed
here is bit-identical to the same formula written in Python.
"""
from __future__ import annotations

import ast
import bisect
import functools
import math
import operator
from typing import Any, Mapping

__all__ = ["ExprError", "parse", "evaluate", "free_names", "substitute", "FUNCTIONS"]


class ExprError(ValueError):
    """An expression that does not parse, uses a forbidden construct, or fails to evaluate."""


def _geometric(start, ratio, count):
    """[start, start*ratio, (start*ratio)*ratio, ...]: the values a chainable torch schedule
    reaches by repeated multiplication (not ``start * ratio ** k``, which rounds differently)."""
    values, value = [], start
    for _ in range(int(count)):
        values.append(value)
        value = value * ratio
    return values


def _unique_sorted(values):
    return sorted(set(values))


def _multistep_lrs(base_lr, gamma, milestones):
    """The lr torch's MultiStepLR reaches after each distinct milestone: at a milestone listed
    c times it multiplies the current lr by ``gamma ** c`` (torch 2.13 ``MultiStepLR.get_lr``)."""
    values, value = [base_lr], base_lr
    for milestone in _unique_sorted(milestones):
        value = value * gamma ** list(milestones).count(milestone)
        values.append(value)
    return values


FUNCTIONS = {
    "abs": abs, "min": min, "max": max, "float": float, "int": int, "bool": bool,
    "len": len, "list": list, "tuple": tuple, "range": range, "sorted": sorted, "sum": sum,
    "floor": math.floor, "ceil": math.ceil, "bisect_right": bisect.bisect_right,
    "log": math.log, "geometric": _geometric, "unique_sorted": _unique_sorted,
    "multistep_lrs": _multistep_lrs,
}

_BINOPS = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}
_COMPARE = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b, ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
_ALLOWED = (
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Store, ast.BinOp, ast.UnaryOp,
    ast.BoolOp, ast.And, ast.Or, ast.Compare, ast.IfExp, ast.Tuple, ast.List, ast.Subscript,
    ast.Slice, ast.Call, ast.ListComp, ast.comprehension, ast.Lambda, ast.arguments, ast.arg,
    *_BINOPS, *_UNARY, *_COMPARE,
)


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> ast.Expression:
    """Parse and whitelist-check ``text``; raise ExprError naming the offending construct."""
    if not isinstance(text, str):
        raise ExprError(f"expression must be a string, got {type(text).__name__}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"cannot parse {text!r}: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ExprError(f"{type(node).__name__} is not allowed in {text!r}")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                shown = ast.unparse(node.func)
                raise ExprError(f"call of {shown!r} is not allowed in {text!r}; allowed: {sorted(FUNCTIONS)}")
            if node.keywords:
                raise ExprError(f"keyword arguments are not allowed in {text!r}")
        if isinstance(node, ast.comprehension):
            if node.ifs or node.is_async or not isinstance(node.target, ast.Name):
                raise ExprError(f"only '[x for name in iterable]' comprehensions are allowed in {text!r}")
        if isinstance(node, ast.Lambda):
            a = node.args
            if a.posonlyargs or a.vararg or a.kwonlyargs or a.kwarg or a.defaults or len(a.args) != 1:
                raise ExprError(f"only one-argument lambdas ('lambda epoch: ...') are allowed in {text!r}")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str, bool, type(None))):
            raise ExprError(f"constant {node.value!r} is not allowed in {text!r}")
    return tree


def _free_name_nodes(node: ast.AST, bound: frozenset = frozenset()) -> list[ast.Name]:
    """The Name nodes that read a variable from outside the expression, scope by scope: lambda
    parameters and comprehension variables are bound only inside their own lambda/comprehension,
    and called function names are not variables."""
    if isinstance(node, ast.Name):
        return [node] if isinstance(node.ctx, ast.Load) and node.id not in bound else []
    if isinstance(node, ast.Lambda):
        return _free_name_nodes(node.body, bound | {node.args.args[0].arg})
    if isinstance(node, ast.ListComp):
        (gen,) = node.generators[:1] or (None,)
        inner = bound | {gen.target.id} if gen is not None else bound
        return (_free_name_nodes(gen.iter, bound) if gen is not None else []) + _free_name_nodes(node.elt, inner)
    if isinstance(node, ast.Call):
        return [n for arg in node.args for n in _free_name_nodes(arg, bound)]
    return [n for child in ast.iter_child_nodes(node) for n in _free_name_nodes(child, bound)]


def free_names(text: str) -> frozenset[str]:
    """Variable names the expression reads (function names, lambda parameters and comprehension
    variables excluded, each within its own scope)."""
    return frozenset(n.id for n in _free_name_nodes(parse(text).body))


def evaluate(text: str, names: Mapping[str, Any] | None = None) -> Any:
    """Evaluate ``text`` with ``names`` bound; unknown names and runtime errors raise ExprError."""
    tree = parse(text)
    try:
        return _Walker(dict(names or {}), text).visit(tree.body)
    except ExprError:
        raise
    except (ArithmeticError, TypeError, ValueError, IndexError, KeyError) as exc:
        raise ExprError(f"evaluating {text!r} failed: {type(exc).__name__}: {exc}") from None


class _Walker:
    def __init__(self, names: dict, text: str):
        self.names, self.text = names, text

    def visit(self, node: ast.AST) -> Any:
        return getattr(self, "visit_" + type(node).__name__)(node)

    def visit_Constant(self, node):
        return node.value

    def visit_Name(self, node):
        if node.id in self.names:
            return self.names[node.id]
        if node.id in FUNCTIONS:
            return FUNCTIONS[node.id]
        raise ExprError(f"unknown name {node.id!r} in {self.text!r}; known: {sorted(self.names)}")

    def visit_BinOp(self, node):
        left, right = self.visit(node.left), self.visit(node.right)
        _check_size(node.op, left, right, self.text)
        return _BINOPS[type(node.op)](left, right)

    def visit_UnaryOp(self, node):
        return _UNARY[type(node.op)](self.visit(node.operand))

    def visit_BoolOp(self, node):
        value = None
        for operand in node.values:
            value = self.visit(operand)
            if isinstance(node.op, ast.And) and not value:
                return value
            if isinstance(node.op, ast.Or) and value:
                return value
        return value

    def visit_Compare(self, node):
        left = self.visit(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.visit(comparator)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def visit_IfExp(self, node):
        return self.visit(node.body) if self.visit(node.test) else self.visit(node.orelse)

    def visit_Tuple(self, node):
        return tuple(self.visit(e) for e in node.elts)

    def visit_List(self, node):
        return [self.visit(e) for e in node.elts]

    def visit_Subscript(self, node):
        return self.visit(node.value)[self.visit(node.slice)]

    def visit_Slice(self, node):
        part = lambda n: None if n is None else self.visit(n)  # noqa: E731
        return slice(part(node.lower), part(node.upper), part(node.step))

    def visit_Call(self, node):
        return FUNCTIONS[node.func.id](*(self.visit(a) for a in node.args))

    def visit_Lambda(self, node):
        """A lambda becomes a Python closure that walks its body with the argument bound."""
        name, body, outer, text = node.args.args[0].arg, node.body, dict(self.names), self.text

        def function(value):
            return _Walker({**outer, name: value}, text).visit(body)
        return function

    def visit_ListComp(self, node):
        (gen,) = node.generators if len(node.generators) == 1 else (None,)
        if gen is None:
            raise ExprError(f"only one 'for' per comprehension in {self.text!r}")
        out = []
        saved = self.names.get(gen.target.id, _MISSING)
        try:
            for item in self.visit(gen.iter):
                self.names[gen.target.id] = item
                out.append(self.visit(node.elt))
        finally:
            if saved is _MISSING:
                self.names.pop(gen.target.id, None)
            else:
                self.names[gen.target.id] = saved
        return out


_MISSING = object()
_MAX_INT_EXPONENT = 4096
_MAX_REPEAT = 10**7


def _check_size(op, left, right, text):
    """Refuse operations whose result would be huge (``10 ** 10 ** 10``, ``[0] * 10 ** 12``)."""
    if isinstance(op, ast.Pow) and isinstance(left, int) and isinstance(right, int) and abs(right) > _MAX_INT_EXPONENT:
        raise ExprError(f"integer exponent {right} is too large in {text!r}")
    if isinstance(op, ast.Mult):
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (list, tuple, str)) and isinstance(count, int) and len(seq) * count > _MAX_REPEAT:
                raise ExprError(f"sequence repetition is too large in {text!r}")
_ATOMIC = (ast.Name, ast.Attribute, ast.Subscript, ast.Call, ast.List, ast.Dict, ast.ListComp)


def _is_atomic(source: str) -> bool:
    try:
        node = ast.parse(source.strip(), mode="eval").body
    except SyntaxError:
        return False
    if isinstance(node, ast.Constant):
        return not (isinstance(node.value, (int, float)) and source.strip().startswith("-"))
    if isinstance(node, ast.Tuple):
        return source.strip().startswith("(") and source.strip().endswith(")")
    return isinstance(node, _ATOMIC)


def substitute(text: str, replacements: Mapping[str, str]) -> str:
    """Replace free names in ``text`` by source snippets, keeping the rest verbatim.

    Non-atomic snippets are parenthesised so precedence survives:
    ``substitute("1 - momentum", {"momentum": "a + b"}) == "1 - (a + b)"``.
    """
    source = text.strip()
    tree = parse(source)
    line_starts = [0]
    for line in source.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    spans = []
    for node in _free_name_nodes(tree.body):
        if node.id in replacements:
            start = line_starts[node.lineno - 1] + node.col_offset
            end = line_starts[node.end_lineno - 1] + node.end_col_offset
            snippet = str(replacements[node.id]).strip()
            spans.append((start, end, snippet if _is_atomic(snippet) else f"({snippet})"))
    for start, end, snippet in sorted(spans, reverse=True):
        source = source[:start] + snippet + source[end:]
    return source
