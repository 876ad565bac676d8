"""Find the real framework object behind a table's qualified name, and its true signature.

MindSpore wraps optimizer constructors in decorators whose visible signature is
``(*args, **kwargs)``; ``real_params`` unwraps them so the tables can be checked
against what the framework really accepts.
"""
from __future__ import annotations

import importlib
import inspect

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


def real_params(obj) -> list[inspect.Parameter]:
    """The parameters of a function or class constructor, ``self`` removed (none for a value
    such as a dtype)."""
    if not callable(obj):
        return []
    target = _unwrap(obj.__init__) if inspect.isclass(obj) else _unwrap(obj)
    params = list(inspect.signature(target).parameters.values())
    if inspect.isclass(obj) and params and params[0].name == "self":
        params = params[1:]
    return params
