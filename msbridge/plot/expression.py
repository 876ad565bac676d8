"""Parse a plot expression like ``nn.exponential_decay_lr(0.1, 0.9, 600, 20, 5, is_stair=True)``.

Never ``eval``: the text goes through ``ast.parse`` and only a call of a known
API (``apis.resolve``) is accepted, with literal arguments — numbers, strings,
booleans, ``None``, lists/tuples, arithmetic (``0.1 * 0.9``), one-argument
lambdas for ``LambdaLR`` (evaluated by the mapping tables' whitelisted walker)
and, inside ``SequentialLR``/``ChainedScheduler``, nested scheduler calls. A torch scheduler's optimizer argument is implicit:
a leading bare name (``StepLR(optimizer, 30)``) or ``optimizer=`` is dropped.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from msbridge.errors import UserError
from msbridge.plot.apis import COMPOSITE, Api, resolve
from msbridge.tables import expr


@dataclass(frozen=True)
class ApiCall:
    """One call of a known API: what to run, with which arguments, and how the user wrote it."""

    api: Api
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    text: str = ""


def parse_call(text: str) -> ApiCall:
    """The call in ``text``, or ``UserError`` saying what is wrong with it."""
    if not text.strip():
        raise UserError("empty expression: give an API call such as \"nn.warmup_lr(0.1, 100, 10, 3)\" or a script.py")
    limit = expr.LIMITS["characters"]
    if len(text) > limit:
        raise UserError(f"the expression is {len(text):,} characters long; at most {limit:,}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
        return _call(tree.body, text.strip(), allow_nested=False)
    except SyntaxError as exc:
        raise UserError(f"cannot parse expression {text[:200]!r}: {exc.msg} (column {exc.offset})") from None
    except (RecursionError, MemoryError):
        raise UserError(f"the expression is nested too deeply: {text[:60]!r}...") from None


def _call(node: ast.AST, text: str, allow_nested: bool) -> ApiCall:
    if not isinstance(node, ast.Call):
        raise UserError(
            f"expected an API call such as nn.exponential_decay_lr(...) or "
            f"lr_scheduler.StepLR(...), got {ast.unparse(node)!r}"
        )
    api = resolve(_dotted(node.func))
    positional = list(node.args)
    keywords = [kw for kw in node.keywords if kw.arg != "optimizer"]
    if api.torch_shaped and positional and isinstance(positional[0], ast.Name):
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
    """An argument's value: literals and lists here; nested scheduler calls only where
    ``allow_nested``; anything else (arithmetic, ``lambda epoch: 0.95 ** epoch``) through the
    mapping tables' whitelisted evaluator, which has no names, attributes or imports."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool, type(None))):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_value(item, api, allow_nested) for item in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.Call) and allow_nested and isinstance(node.func, (ast.Name, ast.Attribute)):
        inner = _call(node, "", allow_nested=True)
        if not inner.api.torch_shaped or inner.api.kind == COMPOSITE:
            raise UserError(f"{api.short} takes torch-shaped schedulers, got {inner.api.short}")
        return inner
    text = ast.unparse(node)
    try:
        names = sorted(expr.free_names(text))
        if names:
            raise UserError(
                f"{api.short}: {text!r} uses the variable {names[0]!r}; write its value instead "
                "(expressions are parsed, not run)"
            )
        return expr.evaluate(text, {})
    except expr.ExprError as exc:
        raise UserError(f"{api.short}: argument {text!r} is not a literal value: {exc}") from None
