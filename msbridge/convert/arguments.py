"""Translate one call's arguments through a table row.

Binding follows the row's declared signature of the source API (positional
order, keywords). Each ``ArgRule`` gives the target argument as an expression
over source argument names; the source text of the user's argument is put in
with ``msbridge.tables.expr.substitute`` (never evaluated, so ``lr=cfg.lr``
stays ``lr=cfg.lr``). An argument the user omitted is written out only when
the row says the defaults differ (the SOURCE default, so the converted program
computes what the original did).

A row whose expressions need more than the call's own arguments (context such
as ``steps_per_epoch``, or an LR the torch side keeps in the optimizer) cannot
be translated at the call site: ``translate`` returns None and the caller falls
back to msbridge's runtime.
"""
from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field

import libcst as cst

from msbridge.tables import ApiRef, ApiRow, Param
from msbridge.tables.expr import ExprError, evaluate, free_names, substitute

_NO_TEXT = object()


@dataclass
class Bound:
    """A source argument the user wrote: its node, text, and position (None = keyword)."""
    arg: cst.Arg
    text: str
    position: int | None


@dataclass
class Translation:
    args: list[cst.Arg]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)   # arguments set to a non-default value and dropped


def bind(call: cst.Call, ref: ApiRef, code_of) -> dict[str, Bound] | None:
    """Map the call's arguments to ``ref``'s parameter names; None when impossible."""
    positional = [p for p in ref.params if not p.keyword_only and not p.var_keyword]
    names = {p.name for p in ref.params if not p.var_keyword}
    bound: dict[str, Bound] = {}
    for i, arg in enumerate(call.args):
        if arg.star:  # *args / **kwargs: cannot know what they bind to
            return None
        if arg.keyword is None:
            if i >= len(positional):
                return None
            name, position = positional[i].name, i
        else:
            name, position = arg.keyword.value, None
            if name not in names:
                return None
        if name in bound:
            return None
        bound[name] = Bound(arg, code_of(arg.value), position)
    return bound


def _literal(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return _NO_TEXT


class _Unknown:
    """An element of a tuple/list display that is not a literal (``(dim,)``): its length is known,
    its value is not, so any comparison or arithmetic on it makes a condition unknowable."""

    def _refuse(self, *_):
        raise TypeError("a value known only at run time")

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __bool__ = __hash__ = __index__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __int__ = __float__ = _refuse


def _partial(text: str):
    """``(dim,)`` -> ``(_Unknown(),)``: a display whose length a condition may read; else _NO_TEXT."""
    try:
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return _NO_TEXT
    if not isinstance(node, (ast.Tuple, ast.List)) or any(isinstance(e, ast.Starred) for e in node.elts):
        return _NO_TEXT
    items = []
    for element in node.elts:
        value = _literal(ast.unparse(element))
        items.append(_Unknown() if value is _NO_TEXT else value)
    return tuple(items) if isinstance(node, ast.Tuple) else items


def _default_text(param: Param | None) -> str | None:
    if param is None or param.default is Param.REQUIRED:
        return None
    return repr(param.default)


def _same_value(a, b) -> bool:
    """Equal defaults, with float arithmetic noise forgiven (``1 - 0.9`` is torch's ``0.1``)."""
    numbers = (int, float)
    if type(a) in numbers and type(b) in numbers:
        return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
    return type(a) is type(b) and a == b


def condition_holds(row: ApiRow, source: str, target: str, call: cst.Call, code_of) -> bool | None:
    """Whether the row's ``condition_to_<target>`` holds for this call (None: cannot tell statically).

    Evaluated by the tables' own evaluator over the call's literal arguments and the
    source defaults; an argument that is not a literal (``lr=cfg.lr``) makes it unknowable.
    """
    condition = getattr(row, f"condition_to_{target}")
    if not condition:
        return True
    ref = row.side(source)
    bound = bind(call, ref, code_of)
    if bound is None:
        return None
    env = {p.name: p.default for p in ref.params if not p.var_keyword and p.default is not Param.REQUIRED}
    for name, b in bound.items():
        value = _literal(b.text)
        if value is _NO_TEXT:
            value = _partial(b.text)
        if value is _NO_TEXT:
            env.pop(name, None)
        else:
            env[name] = value
    try:
        return bool(evaluate(condition, env))
    except ExprError:
        return None


def translate(row: ApiRow, source: str, target: str, call: cst.Call, code_of,
              overrides: dict[str, str | None] | None = None, called: str | None = None) -> Translation | None:
    """The target call's arguments, or None when the row needs more than the call site offers.

    ``overrides`` maps a target argument name to source text to use instead (None: omit it). ``called``: the API the
    call names, when it is another spelling than the row's source API (``torch.nn.functional.softmax`` found
    through ``torch.softmax``'s row): then an argument the row's API requires, omitted, is a problem.
    """
    src_ref, tgt_ref = row.side(source), row.side(target)
    bound = bind(call, src_ref, code_of)
    if bound is None:
        return None
    overrides = dict(overrides or {})
    out: dict[str, tuple[str, Bound | None]] = {}   # target name -> (text, the source arg it copies, if verbatim)
    problems, notes, dropped = [], [], []
    covered: set[str] = set()
    for rule in row.args:
        src, tgt = getattr(rule, source), getattr(rule, target)
        expr = getattr(rule, f"to_{target}")
        if src is not None:
            covered.add(src)
        if rule.rule == "optimizer_lr":
            return None
        if rule.rule in ("unsupported", f"{source}_only") or tgt is None:
            if src is None or src not in bound:
                continue
            value = _literal(bound[src].text)
            default = src_ref.param(src).default if src_ref.param(src) else Param.REQUIRED
            if rule.rule == f"{source}_only" or (value is not _NO_TEXT and _same_value(value, default)):
                notes.append(f"dropped {src}={bound[src].text} ({rule.note or 'no effect'})")
                if value is _NO_TEXT or not _same_value(value, default):   # the user asked for it: say so
                    dropped.append(f"dropped {src}={bound[src].text} ({rule.note or 'no effect'})")
            else:
                problems.append(f"'{src}={bound[src].text}' has no {target} counterpart: {rule.note}".rstrip(": "))
            continue
        if src is None and rule.rule in (f"{target}_only",):
            continue
        if tgt in out or tgt in overrides or not expr:
            continue
        try:
            names = free_names(expr)
        except ExprError:
            return None
        if not names <= set(src_ref.names):
            return None   # needs context (steps_per_epoch, ...) that only runtime knows
        given = {n for n in names if n in bound}
        if not given:
            if rule.rule in ("same", "rename"):
                tgt_param, src_param = tgt_ref.param(tgt), src_ref.param(src) if src else None
                if tgt_param is not None and tgt_param.default is Param.REQUIRED and \
                        src_param is not None and src_param.default is Param.REQUIRED:
                    # a form of the source API without it (torch.where(condition) alone) that the target lacks
                    problems.append(f"'{src}' omitted: {tgt_ref.name} requires {tgt}")
                continue
            defaults = {n: src_ref.param(n).default for n in names}
            if any(d is Param.REQUIRED for d in defaults.values()):
                if called is None or called == src_ref.name:
                    continue   # the row's own API: an overload without it (torch.mean(x) is the mean of all)
                # another API found through this row omits what the row's API requires (F.softmax(x), torch's
                # implicit dim, through torch.softmax's row): the target's default would be a guess
                missing = sorted(n for n, d in defaults.items() if d is Param.REQUIRED)
                problems.append(f"{', '.join(repr(n) for n in missing)} omitted, which {src_ref.name} requires: "
                                f"this call is another form of it; pass {', '.join(missing)} explicitly")
                continue
            try:
                value = evaluate(expr, defaults)
            except ExprError:
                return None
            tgt_param = tgt_ref.param(tgt)
            if tgt_param is not None and tgt_param.default is not Param.REQUIRED and _same_value(value, tgt_param.default):
                continue
            out[tgt] = (repr(value), None)
            notes.append(f"{tgt}={value!r} written out: {source} default differs")
            continue
        texts = {n: bound[n].text if n in bound else _default_text(src_ref.param(n)) for n in names}
        if any(t is None for t in texts.values()):
            problems.append(f"cannot fill {tgt}: needs {sorted(n for n, t in texts.items() if t is None)}")
            continue
        if expr.strip() in bound and expr.strip() == src:
            out[tgt] = (bound[src].text, bound[src])
            continue
        literals = {n: _literal(t) for n, t in texts.items()}
        if all(v is not _NO_TEXT for v in literals.values()):
            try:
                value = evaluate(expr, literals)
            except ExprError:   # `momentum=None` into `1 - momentum`: the written call would fail at run time
                given_text = ", ".join(f"{n}={texts[n]}" for n in sorted(given))
                problems.append(f"'{given_text}' cannot be translated ({tgt} = {expr}): no {target} counterpart "
                                "for this value")
                continue
            # fold list building and conditionals over literals (`'same' if 'valid' == 'same' else 0` is noise)
            if "[" in expr or " if " in expr:
                out[tgt] = (repr(value), None)
                continue
        out[tgt] = (substitute(expr, texts), None)
    for name, b in bound.items():
        if name in covered:
            continue
        if tgt_ref.param(name) is not None:
            out.setdefault(name, (b.text, b))
        else:
            problems.append(f"argument '{name}' has no rule in table row {row.id!r}")
    for name, text in overrides.items():
        out.pop(name, None)
        if text is not None:
            out[name] = (text, None)
    return Translation(_emit(out, tgt_ref, call), problems, notes, dropped)


def _emit(out: dict[str, tuple[str, Bound | None]], ref: ApiRef, call: cst.Call) -> list[cst.Arg]:
    """Arguments in the target's parameter order; leading ones stay positional where they were."""
    order = {p.name: i for i, p in enumerate(ref.params)}
    positional_ok = [p.name for p in ref.params if not p.keyword_only and not p.var_keyword]
    items = sorted(out.items(), key=lambda kv: order.get(kv[0], len(order)))
    args: list[cst.Arg] = []
    still_positional = True
    for name, (text, src) in items:
        index = len(args)
        keep_pos = (still_positional and src is not None and src.position is not None
                    and index < len(positional_ok) and positional_ok[index] == name)
        still_positional = keep_pos
        value = src.arg.value if src is not None else cst.parse_expression(text)
        comma = src.arg.comma if src is not None and src.arg.comma is not cst.MaybeSentinel.DEFAULT else cst.Comma(
            whitespace_after=cst.SimpleWhitespace(" "))
        if keep_pos:
            arg = cst.Arg(value=value, comma=comma)
        else:
            arg = cst.Arg(value=value, keyword=cst.Name(name), comma=comma,
                          equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                                whitespace_after=cst.SimpleWhitespace("")))
        args.append(arg)
    if args:
        last_original = call.args[-1].comma if call.args else cst.MaybeSentinel.DEFAULT
        trailing = last_original if isinstance(last_original, cst.Comma) and "\n" in _ws(last_original) else cst.MaybeSentinel.DEFAULT
        args[-1] = args[-1].with_changes(comma=trailing)
        # a comma carrying a newline from the middle of the original call would end a line oddly at the end
    return args


def _ws(comma: cst.Comma) -> str:
    return cst.Module(body=[]).code_for_node(comma)
