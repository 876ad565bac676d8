"""MindSpore 2.10's argument checks (``mindspore._checkparam``), with its exception types and messages.

A twin must refuse what the MindSpore layer refuses, at construction and with the same exception type: a bool
where an int is due is a TypeError, a zero size a ValueError, a list where MindSpore wants a tuple a TypeError.
These reproduce MindSpore's validator functions, message for message (measured on mindspore 2.10.0;
tests/layers/test_twin_args_mindspore.py runs each case on the real layer and on the twin), so that the
twins' constructors read like MindSpore's own. Inputs to a forward call are checked by ``check_input``.
"""
from __future__ import annotations


def _prefix(name: str, cls: str | None) -> str:
    return f"For '{cls}', the '{name}'" if cls else f"The '{name}'" if name else "The input value"


def _int(value, name: str, cls: str | None, rule: str) -> None:
    if not isinstance(value, int):
        raise TypeError(f"{_prefix(name, cls)} must be int, but got '{type(value).__name__}'")
    if isinstance(value, bool):
        raise TypeError(f"{_prefix(name, cls)} must be int and must {rule}, but got '{value}' with type 'bool'.")


def positive_int(value, name: str = "", cls: str | None = None) -> int:
    """``check_positive_int``: an int (not a bool, a TypeError) > 0 (else a ValueError)."""
    _int(value, name, cls, "> 0")
    if value <= 0:
        raise ValueError(f"{_prefix(name, cls)} must be int and must > 0, but got '{value}' with type 'int'.")
    return value


def non_negative_int(value, name: str, cls: str) -> int:
    """``check_non_negative_int``: an int (not a bool) >= 0."""
    _int(value, name, cls, ">= 0")
    if value < 0:
        raise ValueError(f"{_prefix(name, cls)} must be int and must >= 0, but got '{value}' with type 'int'.")
    return value


def non_negative_int_sequence(values, name: str, cls: str) -> None:
    """``check_non_negative_int_sequence``: each item as ``non_negative_int``, named ``name[i]``."""
    for i, value in enumerate(values):
        non_negative_int(value, f"{name}[{i}]", cls)


def check_bool(value, name: str, cls: str) -> bool:
    """``check_bool``: exactly a bool (1 and None are TypeErrors)."""
    if not isinstance(value, bool):
        raise TypeError(f"For '{cls}', the '{name}' must be a bool, but got {type(value).__name__}.")
    return value


def value_type(name: str, value, types, cls: str):
    """``check_value_type``: an instance of one of ``types``; a bool is not an int here."""
    types = tuple(types) if isinstance(types, (tuple, list)) else (types,)
    if isinstance(value, types) and not (isinstance(value, bool) and bool not in types):
        return value
    if len(types) == 1:
        raise TypeError(f"For '{cls}', the type of '{name}' should be '{types[0].__name__}', but got type "
                        f"'{type(value).__name__}'.")
    names = [t.__name__ for t in types]
    raise TypeError(f"For '{cls}', the type of '{name}' should be one of '{names}', but got type "
                    f"'{type(value).__name__}'.")


def string(value, valid, name: str, cls: str) -> str:
    """``check_string``: one of ``valid`` exactly (a ValueError for anything else, a non-str too)."""
    if not (isinstance(value, str) and value in valid):
        raise ValueError(f"For '{cls}', the '{name}' must be str and must be in '{list(valid)}', but got '{value}'.")
    return value


def data_format(value, cls: str, valid=("NCHW", "NHWC")) -> str:
    """MindSpore's format check; 'NHWC' runs on MindSpore's GPU backend only, and on no msbridge twin."""
    string(value, valid, "format", cls)
    if value != "NCHW":
        raise ValueError(f"For '{cls}', the '{value}' format only support in GPU target (MindSpore) and msbridge "
                         "computes 'NCHW' only.")
    return value


def check_input(x, cls: str, ranks=None, dtype=None) -> None:
    """A forward call's input, refused with MindSpore's exception types (not torch's RuntimeError): a rank outside
    ``ranks`` is a ValueError; a dtype other than ``dtype`` (the parameters' dtype), or without ``dtype`` one that
    is not floating point, a TypeError."""
    if ranks is not None and x.dim() not in ranks:
        raise ValueError(f"For '{cls}', the dimension of input must be in {list(ranks)}, but got {x.dim()}.")
    if (x.dtype != dtype) if dtype is not None else not x.is_floating_point():
        expected = dtype if dtype is not None else "floating point"
        raise TypeError(f"For '{cls}', the input dtype must be {expected}, but got {x.dtype}.")


def float_attribute(value, name: str, primitive: str) -> None:
    """An ``epsilon`` MindSpore's layer takes at construction and its primitive refuses when called unless it is a
    float (an int 0 or 1 included): a TypeError then, as MindSpore's."""
    if not isinstance(value, float):
        raise TypeError(f"Failed calling {primitive}: the '{name}' must be a float, but got {type(value).__name__} "
                        f"({value!r}).")
