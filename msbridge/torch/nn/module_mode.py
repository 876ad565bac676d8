"""torch's Module methods ``train``/``eval``/``state_dict``/``load_state_dict`` for an object the converter
cannot type: a MindSpore Cell gets torch's semantics, anything else keeps its own method.

The converter rewrites ``net.train()`` to ``set_train()`` only where it knows ``net`` becomes a Cell; where
it cannot tell (``net = models.__dict__[arch]()``, a parameter, an attribute), it emits these, which decide
at run time. A user class that defines the method itself keeps it.

* ``module_train(m, mode=True)``/``module_eval(m)``: ``set_train(mode)`` on every sub-cell, ``m`` returned;
  a mode that is not a bool raises ValueError, as torch's.
* ``module_state_dict(m)``: name -> the cell's parameters (MindSpore's names; the BatchNorm statistics are
  Parameters there), in the order of ``parameters_and_names``. Like torch's, the values follow later
  in-place updates; ``msbridge.torch.save`` writes them as plain tensors.
* ``module_load_state_dict(m, state_dict, strict=True)``: torch's checks and messages (missing and
  unexpected keys raise RuntimeError under ``strict``, a shape mismatch always), values copied with
  the parameter's dtype; returns torch's ``(missing_keys, unexpected_keys)`` named tuple.
"""
from __future__ import annotations

import collections
import collections.abc

IncompatibleKeys = collections.namedtuple("_IncompatibleKeys", ["missing_keys", "unexpected_keys"])


def _cell(obj, method: str) -> bool:
    from mindspore import nn

    return isinstance(obj, nn.Cell) and not hasattr(type(obj), method)


def module_train(module, mode=True):
    if not _cell(module, "train"):
        return module.train(mode) if mode is not True else module.train()
    if not isinstance(mode, bool):
        raise ValueError("training mode is expected to be boolean")
    module.set_train(mode)
    return module


def module_eval(module):
    if not _cell(module, "eval"):
        return module.eval()
    module.set_train(False)
    return module


def module_state_dict(module, *args, **kwargs):
    if not _cell(module, "state_dict"):
        return module.state_dict(*args, **kwargs)
    if args or kwargs:
        raise TypeError("msbridge: state_dict() of a MindSpore Cell takes no arguments here")
    return collections.OrderedDict((name, param) for name, param in module.parameters_and_names())


def module_load_state_dict(module, state_dict, strict=True, assign=False):
    if not _cell(module, "load_state_dict"):
        return module.load_state_dict(state_dict, strict=strict) if assign is False else \
            module.load_state_dict(state_dict, strict=strict, assign=assign)
    import mindspore

    if not isinstance(state_dict, collections.abc.Mapping):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
    params = collections.OrderedDict(module.parameters_and_names())
    missing = [name for name in params if name not in state_dict]
    unexpected = [name for name in state_dict if name not in params]
    errors = []
    for name, param in params.items():
        if name not in state_dict:
            continue
        value = state_dict[name]
        if not isinstance(value, mindspore.Tensor):
            value = mindspore.Tensor(value)
        if tuple(value.shape) != tuple(param.shape):
            errors.append(f"size mismatch for {name}: copying a param with shape {_size(value.shape)} from "
                          f"checkpoint, the shape in current model is {_size(param.shape)}.")
    if strict:
        if unexpected:
            errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in unexpected)))
        if missing:
            errors.insert(0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing)))
    if errors:
        raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
            type(module).__name__, "\n\t".join(errors)))
    for name, param in params.items():
        if name in state_dict:
            value = state_dict[name]
            value = value if isinstance(value, mindspore.Tensor) else mindspore.Tensor(value)
            param.set_data(value.astype(param.dtype) if value.dtype != param.dtype else value.copy())
    return IncompatibleKeys(missing, unexpected)


def _size(shape) -> str:
    return "torch.Size([{}])".format(", ".join(str(int(d)) for d in shape))
