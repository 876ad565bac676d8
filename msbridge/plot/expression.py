"""Parse a plot expression like ``nn.exponential_decay_lr(0.1, 0.9, 600, 20, 5, is_stair=True)``.

Never ``eval``: the text goes through ``ast.parse`` and only a call of a known
API (``apis.resolve``) with literal arguments is accepted — numbers, strings,
booleans, ``None``, lists/tuples of those, plain arithmetic between numbers
(``0.1 * 0.9``, ``1 / 3``), and, inside ``SequentialLR``/``ChainedScheduler``,
nested scheduler calls. A torch scheduler's optimizer argument is implicit:
a leading bare name (``StepLR(optimizer, 30)``) or ``optimizer=`` is dropped.
"""
from __future__ import annotations

import ast
import operator
from dataclasses import dataclass, field

from msbridge.errors import UserError
from msbridge.plot.apis import COMPOSITE, TORCH, Api, resolve

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Pow: operator.pow,
}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}


@dataclass(frozen=True)
class ApiCall:
    """One call of a known API: what to run, with which arguments, and how the user wrote it."""

    api: Api
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    text: str = ""


def parse_call(text: str) -> ApiCall:
    """The call in ``text``, or ``UserError`` saying what is wrong with it."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise UserError(f"cannot parse expression {text!r}: {exc.msg} (column {exc.offset})") from None
    return _call(tree.body, text.strip(), allow_nested=False)


def _call(node: ast.AST, text: str, allow_nested: bool) -> ApiCall:
    if not isinstance(node, ast.Call):
        raise UserError(
            f"expected an API call such as nn.exponential_decay_lr(...) or "
            f"lr_scheduler.StepLR(...), got {ast.unparse(node)!r}"
        )
    api = resolve(_dotted(node.func))
    positional = list(node.args)
    keywords = [kw for kw in node.keywords if kw.arg != "optimizer"]
    if api.framework == TORCH and positional and isinstance(positional[0], ast.Name):
        positional = positional[1:]  # StepLR(optimizer, ...): the plot supplies the optimizer
    nested = api.kind == COMPOSITE
    for kw in keywords:
        if kw.arg is None:
            raise UserError(f"{api.short}: '**{ast.unparse(kw.value)}' is not supported; write the keywords out")
    args = tuple(_value(arg, api, nested) for arg in positional)
    kwargs = {kw.arg: _value(kw.value, api, nested) for kw in keywords}
    return ApiCall(api, args, kwargs, ast.unparse(node) if allow_nested else text)


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    raise UserError(f"expected an API name such as nn.exponential_decay_lr, got {ast.unparse(node)!r}")


def _value(node: ast.AST, api: Api, allow_nested: bool):
    """A literal argument value; nested scheduler calls only where ``allow_nested``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool, type(None))):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_value(item, api, allow_nested) for item in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _arith(_UNARY[type(node.op)], api, node, _value(node.operand, api, False))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _value(node.left, api, False), _value(node.right, api, False)
        return _arith(_BINARY[type(node.op)], api, node, left, right)
    if isinstance(node, ast.Call) and allow_nested:
        inner = _call(node, "", allow_nested=True)
        if inner.api.framework != TORCH or inner.api.kind == COMPOSITE:
            raise UserError(f"{api.short} takes torch schedulers, got {inner.api.short}")
        return inner
    raise UserError(
        f"{api.short}: only literal arguments are allowed (numbers, strings, True/False/None, "
        f"lists), got {ast.unparse(node)!r}"
    )


def _arith(op, api: Api, node: ast.AST, *operands):
    if not all(isinstance(x, (int, float)) for x in operands):
        raise UserError(f"{api.short}: arithmetic only on numbers, got {ast.unparse(node)!r}")
    if op is operator.pow and abs(operands[1]) > 1024:  # 10 ** 10 ** 10 would hang the parser
        raise UserError(f"{api.short}: exponent too large in {ast.unparse(node)!r}")
    try:
        return op(*operands)
    except (ArithmeticError, ValueError) as exc:
        raise UserError(f"{api.short}: cannot compute {ast.unparse(node)!r}: {exc}") from None
