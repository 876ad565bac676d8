"""torch's ``no_grad`` / ``inference_mode`` / ``enable_grad`` on MindSpore: context managers and decorators.

MindSpore differentiates only inside ``value_and_grad``/``grad``; there, what runs under
``mindspore._no_grad`` contributes no gradient (measured in tests/torch/test_runtime_twins.py:
the same gradients as torch's ``no_grad``). Outside a differentiated function it changes no value. ``enable_grad`` switches the same
PyNative flag back on for its region and restores the previous state on exit, as torch's does.
"""
from __future__ import annotations

import functools

import mindspore
from mindspore.graph.api import _pynative_executor


class no_grad:
    """``with no_grad():``, ``@no_grad()`` and ``@no_grad``."""

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if orig_func is not None and callable(orig_func):
            self.__init__()
            return self(orig_func)
        return self

    def __init__(self, orig_func=None):
        self._inner = None

    def __enter__(self):
        self._inner = mindspore._no_grad()
        self._inner.__enter__()

    def __exit__(self, *exc):
        inner, self._inner = self._inner, None
        return inner.__exit__(*exc)

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)
        return wrapper


class inference_mode(no_grad):
    """torch's ``inference_mode(mode=True)``: with ``mode=False`` it does nothing, as torch's."""

    def __new__(cls, mode=True):
        if callable(mode):
            self = super().__new__(cls)
            self.__init__()
            return self(mode)
        return object.__new__(cls)

    def __init__(self, mode=True):
        super().__init__()
        self.mode = mode

    def __enter__(self):
        if self.mode:
            super().__enter__()

    def __exit__(self, *exc):
        if self._inner is not None:
            return super().__exit__(*exc)
        return None

    def __call__(self, func):
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return func(*args, **kwargs)
        return wrapper


class enable_grad(no_grad):
    """``with enable_grad():``, ``@enable_grad()`` and ``@enable_grad``: gradients recorded again inside a
    ``no_grad`` region (the previous state comes back on exit)."""

    def __enter__(self):
        self._inner = _pynative_executor.enable_grad()
        _pynative_executor.set_enable_grad(True)

    def __exit__(self, *exc):
        previous, self._inner = self._inner, None
        _pynative_executor.set_enable_grad(previous)
        return False
