"""Find the real framework object behind a table's qualified name, and its true signature.

MindSpore wraps optimizer constructors in decorators whose visible signature is
``(*args, **kwargs)``; ``real_params`` unwraps them so the tables can be checked
against what the framework really accepts. The recurrent layers forward ``(*args, **kwargs)``
to a base class too: torch declares their real signature as a ``typing.overload``; MindSpore's
pass a ``mode`` first to ``_RNNBase.__init__`` (and ``nn.RNN`` reads ``nonlinearity`` from the
keywords, ``KEYWORDS_READ``).
"""
from __future__ import annotations

import importlib
import inspect
import typing

__all__ = ["resolve", "real_params"]


def resolve(qualified_name: str):
    """Import ``a.b.C`` and return ``C`` (the longest importable module prefix wins)."""
    parts = qualified_name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(f"cannot import {qualified_name!r}")


def _unwrap(function):
    """Follow ``__wrapped__`` and decorator closures down to the innermost function."""
    while True:
        function = inspect.unwrap(function)
        inner = [c.cell_contents for c in (getattr(function, "__closure__", None) or ())
                 if inspect.isfunction(getattr(c, "cell_contents", None))]
        if not inner:
            return function
        function = inner[-1]


# Keyword arguments a forwarding constructor takes out of **kwargs before passing the rest on
# (read in its source: mindspore.nn.RNN maps nonlinearity to its mode, default 'tanh').
KEYWORDS_READ = {"mindspore.nn.layer.rnns.RNN": (("nonlinearity", "tanh"),)}


def _forwards_everything(params: list[inspect.Parameter]) -> bool:
    return [p.kind for p in params] == [inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD]


def _forwarded(cls) -> list[inspect.Parameter] | None:
    """The real parameters of a class whose ``__init__(self, *args, **kwargs)`` forwards them:
    its typed ``overload`` (torch), or the base's parameters after a leading ``mode`` (MindSpore)."""
    for overload in typing.get_overloads(cls.__init__):
        params = list(inspect.signature(overload).parameters.values())[1:]
        if not _forwards_everything(params):
            return params
    for base in cls.__mro__[1:]:
        if "__init__" not in vars(base):
            continue
        params = list(inspect.signature(_unwrap(base.__init__)).parameters.values())[1:]
        if not params or params[0].name != "mode":
            return None
        extra = KEYWORDS_READ.get(f"{cls.__module__}.{cls.__qualname__}", ())
        return params[1:] + [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
                             for name, default in extra]
    return None


def real_params(obj) -> list[inspect.Parameter]:
    """The parameters of a function or class constructor, ``self`` removed (none for a value
    such as a dtype)."""
    if not callable(obj):
        return []
    target = _unwrap(obj.__init__) if inspect.isclass(obj) else _unwrap(obj)
    params = list(inspect.signature(target).parameters.values())
    if inspect.isclass(obj) and params and params[0].name == "self":
        params = params[1:]
    if inspect.isclass(obj) and _forwards_everything(params):
        return _forwarded(obj) or params
    return params


def _split_top(text: str) -> list[str]:
    """Split ``a, b=(1, 2), c: List[int]`` at the commas outside brackets."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def _documented_default(text: str):
    import ast
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text   # e.g. torch.strided: not a literal, kept as its text


def documented_overloads(obj) -> list[list[inspect.Parameter]]:
    """The signatures a C builtin's docstring states (torch's ``cat(tensors, dim=0, *, out=None)``
    and its ``.. function::`` overloads): torch's builtins have no ``inspect`` signature.

    ``*size`` becomes a parameter ``size`` that may be passed by keyword, as torch's argument
    parser accepts (``torch.zeros(size=(2, 3))``); a required parameter after a defaulted one
    (``arange(start=0, end, step=1)``) is kept in order, so these are lists, not Signatures."""
    name = getattr(obj, "__name__", "")
    found = []
    for line in (getattr(obj, "__doc__", None) or "").splitlines():
        text = line.strip().removeprefix(".. function::").strip()
        if not text.startswith(name + "(") or ")" not in text:
            continue
        inner = text[len(name) + 1:text.rindex(")", 0, text.index("->") if "->" in text else len(text))]
        params, keyword_only = [], False
        for part in _split_top(inner):
            if part == "*":
                keyword_only = True
                continue
            head, _, default = part.partition("=")
            pname = head.split(":", 1)[0].strip().lstrip("*")
            kind = inspect.Parameter.KEYWORD_ONLY if keyword_only else inspect.Parameter.POSITIONAL_OR_KEYWORD
            value = _documented_default(default.strip()) if default else inspect.Parameter.empty
            params.append(inspect.Parameter(pname, kind, default=value))
        found.append(params)
    return found
