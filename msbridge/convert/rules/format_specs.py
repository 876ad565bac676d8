"""A format spec on what may be a 0-d tensor: ``'{:.4f}'.format(test_loss)``, ``f"{loss:.3f}"`` (torch -> MindSpore).

torch's ``Tensor.__format__`` formats a 0-d tensor as its number, so old training scripts print an accumulated loss
tensor with ``'{:.4f}'.format(test_loss)`` (hunkim/PyTorchZeroToAll's MNIST tests, after the whole epoch ran).
MindSpore 2.10's refuses any non-empty spec ("unsupported format string passed to Tensor.__format__", measured;
``'{}'`` and ``'%.4f' %`` work on both). Each value formatted with a spec that is not plainly a Python value
(a literal, ``len(...)``, ``x.item()``...) is wrapped in ``msbridge.torch.tensor_methods.formattable``, which gives
a 0-d MindSpore tensor's number and anything else unchanged, so the printed text is torch's.

Only ``str.format`` on a string literal (the fields are read from it) and f-strings are rewritten, in statements the
converter visits (those naming a framework API); the wraps are not API uses and are not counted in the report.
"""
from __future__ import annotations

import string

import libcst as cst

TWIN = "msbridge.torch.tensor_methods.formattable"
# calls whose result is a plain Python value (formatting it is the same on both sides)
_PLAIN_CALLS = frozenset({"len", "int", "float", "str", "round", "bool", "repr"})
_PLAIN_METHODS = frozenset({"item", "tolist", "numel", "dim", "format", "join", "upper", "lower", "strip"})


def _plain(expr: cst.BaseExpression) -> bool:
    """A literal, or a call known to give a Python value (``len(x)``, ``loss.item()``)."""
    if isinstance(expr, (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.ConcatenatedString,
                         cst.FormattedString)):
        return True
    if isinstance(expr, cst.UnaryOperation):
        return _plain(expr.expression)
    if isinstance(expr, cst.Call):
        func = expr.func
        if isinstance(func, cst.Name) and func.value in _PLAIN_CALLS:
            return True
        if isinstance(func, cst.Attribute) and func.attr.value in _PLAIN_METHODS:
            return True
    return False


def _wrapped(rw, expr: cst.BaseExpression) -> bool:
    """Already the twin's call (a second run); ``expr`` is an original node (names resolve on those)."""
    return isinstance(expr, cst.Call) and rw.imports.resolve(expr.func) == TWIN


def _needs(rw, expr: cst.BaseExpression) -> bool:
    return rw.target == "mindspore" and not _plain(expr) and not _wrapped(rw, expr)


def _wrap(rw, expr: cst.BaseExpression) -> cst.Call:
    return cst.Call(func=rw.needs.reference(TWIN), args=[cst.Arg(expr)])


def fstring_field(rw, original: cst.FormattedStringExpression,
                  updated: cst.FormattedStringExpression) -> cst.FormattedStringExpression:
    """``{x:.4f}`` in an f-string -> ``{formattable(x):.4f}`` where ``x`` may be a tensor."""
    if not updated.format_spec or not _needs(rw, original.expression):
        return updated
    return updated.with_changes(expression=_wrap(rw, updated.expression))


def _literal_text(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        return node.evaluated_value
    if isinstance(node, cst.ConcatenatedString):
        left, right = _literal_text(node.left), _literal_text(node.right)
        return None if left is None or right is None else left + right
    return None


def _spec_fields(text: str) -> tuple[set[int], set[str]] | None:
    """Positions and keywords formatted with a non-empty spec; None where the literal cannot be read plainly."""
    positions, keywords, auto = set(), set(), 0
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return None
    for _, field, spec, _ in fields:
        if field is None:
            continue
        head = field.split(".", 1)[0].split("[", 1)[0]
        if head == "":
            index, auto = auto, auto + 1
        elif head.isdigit():
            index = int(head)
        else:
            index = None
        if not spec or head != field:   # no spec, or an attribute/item of the argument (`{0.shape}`)
            continue
        if index is None:
            keywords.add(head)
        else:
            positions.add(index)
    return positions, keywords


def format_call(rw, original: cst.Call, updated: cst.Call) -> cst.Call | None:
    """``'...{:.4f}'.format(a, b)`` -> the arguments formatted with a spec wrapped; None when nothing changes."""
    func = updated.func
    if rw.target != "mindspore" or not isinstance(func, cst.Attribute) or func.attr.value != "format":
        return None
    text = _literal_text(func.value)
    fields = _spec_fields(text) if text is not None else None
    if not fields or any(a.star for a in updated.args) or len(original.args) != len(updated.args):
        return None
    positions, keywords = fields
    args, changed, index = [], False, 0
    for arg, before in zip(updated.args, original.args):
        wanted = index in positions if arg.keyword is None else arg.keyword.value in keywords
        if arg.keyword is None:
            index += 1
        if wanted and _needs(rw, before.value):
            arg, changed = arg.with_changes(value=_wrap(rw, arg.value)), True
        args.append(arg)
    return updated.with_changes(args=args) if changed else None
