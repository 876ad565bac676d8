"""torch's Module methods ``train``/``eval`` for an object the converter cannot type: a MindSpore Cell gets
torch's semantics, anything else keeps its own method.

The converter rewrites ``net.train()`` to ``set_train()`` only where it knows ``net`` becomes a Cell; where
it cannot tell (``net = models.__dict__[arch]()``, a parameter, an attribute), it emits these, which decide
at run time. A user class that defines the method itself keeps it.

* ``module_train(m, mode=True)``/``module_eval(m)``: ``set_train(mode)`` on every sub-cell, ``m`` returned;
  a mode that is not a bool raises ValueError, as torch's.

MindSpore 2.10's Cell has ``state_dict()``/``load_state_dict()`` itself, with torch's keys, strict checks,
messages and returned ``(missing_keys, unexpected_keys)`` (tests/torch/test_program_twins_more.py), so those
calls need no twin.
"""
from __future__ import annotations


def _cell(obj, method: str) -> bool:
    from mindspore import nn

    return isinstance(obj, nn.Cell) and not hasattr(type(obj), method)


def module_train(module, *args, **kwargs):
    """``module.train(...)``: torch's ``train(mode=True)`` on a Cell, the object's own method otherwise."""
    if not _cell(module, "train"):
        return module.train(*args, **kwargs)
    if len(args) + len(kwargs) > 1 or set(kwargs) - {"mode"}:
        raise TypeError("train() takes one argument, mode")
    mode = args[0] if args else kwargs.get("mode", True)
    if not isinstance(mode, bool):
        raise ValueError("training mode is expected to be boolean")
    module.set_train(mode)
    return module


def module_eval(module, *args, **kwargs):
    """``module.eval()``: ``set_train(False)`` on a Cell, the object's own method otherwise."""
    if not _cell(module, "eval"):
        return module.eval(*args, **kwargs)
    if args or kwargs:
        raise TypeError("eval() takes no arguments")
    module.set_train(False)
    return module
