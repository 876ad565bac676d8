"""The transform-expression language of the mapping tables, evaluated by our own walker.

Tables say things like ``1 - momentum`` or ``[m * steps_per_epoch for m in milestones]``.
We parse with ``ast.parse(mode="eval")`` and walk a whitelist of node types: no ``eval``,
no attribute access, no calls except the small function whitelist below, so a table can
never run arbitrary code. Arithmetic is Python's own (float64), so a translation computed
here is bit-identical to the same formula written in Python.

Every evaluation is bounded (``LIMITS``): the text's length and nesting, the
steps walked, the size of integers, strings and containers. Sizes are checked
before an operation or a function runs, so ``sum(range(10**15))`` or
``(10**4096)**4096`` fails at once with ExprError instead of running for ever.
"""
from __future__ import annotations

import ast
import bisect
import functools
import math
import operator
from typing import Any, Mapping

__all__ = ["ExprError", "parse", "evaluate", "free_names", "substitute", "check_constant_parts", "FUNCTIONS",
           "LIMITS"]

LIMITS = {
    "characters": 10_000,     # expression text
    "depth": 100,             # nesting of the syntax tree
    "steps": 1_000_000,       # syntax nodes walked, per evaluation (~1 s)
    "int_bits": 1 << 16,      # ~19,700 decimal digits
    "items": 1 << 22,         # items built or consumed by functions and operators, per evaluation (~150 MB)
}


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
    if len(text) > LIMITS["characters"]:
        raise ExprError(f"expression is too long: {len(text)} characters (at most {LIMITS['characters']}): "
                        f"{text[:60]!r}...")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"cannot parse {_short(text)}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ExprError(f"expression is nested too deeply: {_short(text)}") from None
    if _depth(tree) > LIMITS["depth"]:
        raise ExprError(f"expression is nested too deeply (more than {LIMITS['depth']} levels): {_short(text)}")
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


def _short(text: str) -> str:
    return repr(text) if len(text) <= 200 else repr(text[:200]) + "..."


def _depth(tree: ast.AST) -> int:
    """Nesting depth, without recursion (the walker recurses; this bounds it first)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= LIMITS["depth"]:
            stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


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
    return _guarded(lambda: _Walker(dict(names or {}), text).visit(tree.body), text)


def _guarded(run, text):
    try:
        return run()
    except ExprError:
        raise
    except MemoryError:
        raise ExprError(f"evaluating {_short(text)} ran out of memory") from None
    except RecursionError:
        raise ExprError(f"evaluating {_short(text)} is nested too deeply") from None
    except (ArithmeticError, TypeError, ValueError, IndexError, KeyError) as exc:
        raise ExprError(f"evaluating {_short(text)} failed: {type(exc).__name__}: {exc}") from None


def check_constant_parts(text: str) -> None:
    """Evaluate, under the same bounds, every part of ``text`` that reads no variable.

    A table's transform is only evaluated when a call is translated; this lets
    validation refuse ``sum(range(10**15))`` in a transform as it refuses it in
    a default.
    """
    tree = parse(text)
    stack = [tree.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Lambda, ast.ListComp)) or _free_name_nodes(node):
            stack.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr))
        elif not isinstance(node, (ast.Constant, ast.Name)):
            evaluate(ast.unparse(node))


class _Walker:
    def __init__(self, names: dict, text: str):
        self.names, self.text = names, text
        self.steps = 0
        self.items = 0

    def charge(self, steps: int) -> None:
        self.steps += steps
        if self.steps > LIMITS["steps"]:
            raise ExprError(f"evaluating {_short(self.text)} takes more than {LIMITS['steps']:,} steps")

    def charge_items(self, items: int) -> None:
        self.items += items
        if self.items > LIMITS["items"]:
            raise ExprError(f"evaluating {_short(self.text)} builds or reads more than {LIMITS['items']:,} items")

    def visit(self, node: ast.AST) -> Any:
        self.charge(1)
        value = getattr(self, "visit_" + type(node).__name__)(node)
        if type(value) is int:
            bits = value.bit_length()
            if bits > LIMITS["int_bits"]:
                raise ExprError(f"an integer in {_short(self.text)} is too large (over {LIMITS['int_bits']} bits)")
            self.charge_items(bits >> 6)   # memory: a step per 64-bit word, so many large integers are bounded too
        return value

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
        self.charge_items(_check_size(node.op, left, right, self.text))
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
        name = node.func.id
        args = [self.visit(a) for a in node.args]
        self.charge_items(_call_cost(name, args, self.text))
        return _guarded(lambda: FUNCTIONS[name](*args), self.text)

    def visit_Lambda(self, node):
        """A lambda becomes a Python closure that walks its body with the argument bound."""
        name, body, outer, text = node.args.args[0].arg, node.body, dict(self.names), self.text

        def function(value):   # each call is bounded like an evaluation of its own
            return _guarded(lambda: _Walker({**outer, name: value}, text).visit(body), text)
        return function

    def visit_ListComp(self, node):
        (gen,) = node.generators if len(node.generators) == 1 else (None,)
        if gen is None:
            raise ExprError(f"only one 'for' per comprehension in {self.text!r}")
        out = []
        saved = self.names.get(gen.target.id, _MISSING)
        iterable = self.visit(gen.iter)
        self.charge_items(_check_items(iterable, "the comprehension's iterable", self.text))
        try:
            for item in iterable:
                self.names[gen.target.id] = item
                out.append(self.visit(node.elt))
        finally:
            if saved is _MISSING:
                self.names.pop(gen.target.id, None)
            else:
                self.names[gen.target.id] = saved
        return out


_MISSING = object()
_SIZED = (list, tuple, str, range, set, frozenset, dict)


def _check_items(value, what: str, text: str) -> int:
    """The number of items ``value`` holds; ExprError past the limit (checked before anything runs)."""
    if not isinstance(value, _SIZED):
        return 0
    count = len(value) if not isinstance(value, range) else _range_len(value)
    if count > LIMITS["items"]:
        raise ExprError(f"{what} has {count:,} items in {_short(text)}; at most {LIMITS['items']:,}")
    return count


def _range_len(value: range) -> int:
    try:
        return len(value)
    except OverflowError:   # more items than a C ssize_t
        return max(0, (value.stop - value.start) // value.step)


def _call_cost(name: str, args: list, text: str) -> int:
    """Steps a whitelisted function will take; ExprError if its input or output would be too large."""
    if name in ("len", "range", "abs", "float", "int", "bool", "floor", "ceil", "log"):
        return 1   # O(1), or bounded by the integer size already checked
    cost = 1 + sum(_check_items(arg, f"the argument of {name}()", text) for arg in args)
    if name == "geometric" and len(args) == 3 and isinstance(args[2], (int, float)):
        count = int(args[2]) if args[2] == args[2] and abs(args[2]) != float("inf") else LIMITS["items"] + 1
        if count > LIMITS["items"]:
            raise ExprError(f"geometric() of {args[2]} values in {_short(text)}; at most {LIMITS['items']:,}")
        cost += max(count, 0)
    if name == "multistep_lrs" and len(args) == 3 and isinstance(args[2], _SIZED):
        cost += len(args[2]) ** 2    # one count() per distinct milestone
    return cost


def _bits(value) -> int:
    return value.bit_length() if type(value) in (int, bool) else 0


def _check_size(op, left, right, text) -> int:
    """Refuse operations whose result would be huge, before computing it
    (``(10 ** 4096) ** 4096``, ``[0] * 10 ** 12``, ``'%*d' % (10 ** 9, 1)``); returns the steps it costs."""
    limit = LIMITS["int_bits"]
    if isinstance(op, ast.Pow) and type(left) in (int, bool) and type(right) in (int, bool) and right > 0:
        if left not in (0, 1, -1) and (_bits(left) - 1) * right > limit:
            raise ExprError(f"integer power {left if _bits(left) < 64 else '<large>'} ** {right} is too large "
                            f"(over {limit} bits) in {_short(text)}")
    if isinstance(op, ast.Mult):
        if type(left) in (int, bool) and type(right) in (int, bool) and _bits(left) + _bits(right) > limit + 1:
            raise ExprError(f"integer product is too large (over {limit} bits) in {_short(text)}")
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (list, tuple, str)) and type(count) in (int, bool):
                if len(seq) * count > LIMITS["items"]:
                    raise ExprError(f"sequence repetition is too large (over {LIMITS['items']:,} items) "
                                    f"in {_short(text)}")
                return max(len(seq) * count, 0)   # the steps: one per item built
    if isinstance(op, ast.Add) and isinstance(left, (list, tuple, str)) and isinstance(right, (list, tuple, str)):
        if len(left) + len(right) > LIMITS["items"]:
            raise ExprError(f"concatenation is too large (over {LIMITS['items']:,} items) in {_short(text)}")
        return len(left) + len(right)
    if isinstance(op, ast.Mod) and isinstance(left, str):
        raise ExprError(f"string formatting with '%' is not allowed in {_short(text)}")
    return 0
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
