"""torch's TorchScript decorators and annotations on MindSpore: what they do in eager code.

``@torch.jit.ignore``, ``@torch.jit.unused`` and ``@torch.jit.export`` only tag a function for the
TorchScript compiler and return it unchanged (measured: ``torch.jit.ignore(f) is f``); a MindSpore
program runs the function as Python, so the same object is returned here. ``torch.jit.Final`` is
``typing.Final``. ``torch.jit.script``/``trace`` compile and are not here: their result is a different
object with its own methods (``save``, ``graph``).
"""
from __future__ import annotations

from typing import Final

__all__ = ["ignore", "unused", "export", "is_scripting", "Final"]


def ignore(drop=False, **kwargs):
    """``@ignore`` and ``@ignore(drop=...)``: the function itself."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn):
    return fn


def export(fn):
    return fn


def is_scripting() -> bool:
    """False: the code is never being compiled by TorchScript."""
    return False
