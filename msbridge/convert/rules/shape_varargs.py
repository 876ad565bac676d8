"""A shape given as separate numbers (``torch.zeros(2, 3)``) or as one tuple (``torch.zeros((2, 3))``).

torch's creation functions take ``*size``: the numbers may come one by one or as one sequence,
and ``size=`` may be a keyword. MindSpore's ``ops.zeros``/``ops.ones`` take ONE shape argument,
while its ``ops.randn``/``ops.rand`` take ``*size`` and refuse ``size=``. The tables declare one
``size`` parameter on each side; this rule packs the separate numbers into one tuple before the
row binds the call, and writes the shape positionally where the target takes only ``*size``.
"""
from __future__ import annotations

import libcst as cst

# APIs whose leading parameter is a shape that may be spread over several positional arguments
SPREAD_SHAPE = frozenset({"torch.zeros", "torch.ones", "torch.empty", "torch.randn", "torch.rand",
                          "mindspore.ops.randn", "mindspore.ops.rand"})
# target APIs that take the shape only positionally (``*size``): ``size=`` raises TypeError
POSITIONAL_SHAPE = frozenset({"mindspore.ops.randn", "mindspore.ops.rand"})


def pack(api: str, call: cst.Call) -> cst.Call:
    """``f(2, 3, dtype=d)`` -> ``f((2, 3), dtype=d)`` for an API in SPREAD_SHAPE; else ``call``."""
    if api not in SPREAD_SHAPE or any(arg.star for arg in call.args):
        return call
    positional = [arg for arg in call.args if arg.keyword is None]
    if len(positional) < 2:
        return call
    elements = [cst.Element(arg.value) for arg in positional]
    shape = cst.Arg(cst.Tuple(elements), comma=positional[-1].comma)
    return call.with_changes(args=[shape, *call.args[len(positional):]])


def positional_size(api: str, args: list[cst.Arg]) -> list[cst.Arg]:
    """Write a ``size=`` keyword as the first positional argument for an API in POSITIONAL_SHAPE."""
    if api not in POSITIONAL_SHAPE:
        return args
    size = next((a for a in args if a.keyword is not None and a.keyword.value == "size"), None)
    if size is None:
        return args
    rest = [a for a in args if a is not size]
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if rest else cst.MaybeSentinel.DEFAULT
    return [cst.Arg(size.value, comma=comma), *rest]


# MindSpore 2.10 (CPU) refuses a 0-d shape here: ops.ones(()) and ops.zeros([]) raise TypeError ("Select CPU
# operator[Ones] fail"), measured; ops.full((), v, dtype=...), ops.randn(()) and mint.empty(()) make one
NO_SCALAR_SHAPE = frozenset({"mindspore.ops.zeros", "mindspore.ops.ones", "mindspore.mint.zeros",
                             "mindspore.mint.ones"})


def scalar_shape_problems(api: str, args: list[cst.Arg]) -> list[str]:
    """Why ``api(args)`` does not run where the shape is the empty ``()``/``[]`` (a 0-d tensor); else []."""
    if api not in NO_SCALAR_SHAPE:
        return []
    shape = next((a.value for a in args if a.keyword is None or a.keyword.value in ("size", "shape")), None)
    if isinstance(shape, (cst.Tuple, cst.List)) and not shape.elements:
        return [f"{api} cannot make a 0-d tensor in MindSpore 2.10 (TypeError on CPU, measured): "
                f"write mindspore.ops.full((), 1.0, dtype=mindspore.float32) (without dtype= it is int64, measured)"]
    return []
