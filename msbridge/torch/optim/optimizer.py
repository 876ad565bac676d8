"""``torch.optim.Optimizer`` (2.13) shape over MindSpore Parameters.

The shape torch code and torch's schedulers rely on: ``param_groups`` is a
list of dicts with torch's keys and ``'lr'`` a Python float (read afresh at
every step, so ``msbridge.torch.optim.lr_scheduler`` drives it as torch's
schedulers drive torch), ``defaults``, ``state`` keyed by parameter,
``add_param_group``, and ``state_dict()`` / ``load_state_dict()`` in torch's
layout (``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``;
tensors in it are MindSpore Tensors; loading also takes numpy arrays or torch
tensors).

MindSpore has no ``.grad``: ``step(grads)`` takes the gradients MindSpore's
``grad`` / ``value_and_grad`` return, one per parameter in the order of
``param_groups`` (the order of ``optimizer.parameters``), and the optimizer is
also callable as ``optimizer(grads)`` like a MindSpore optimizer.

Why not ``mindspore.experimental.optim`` underneath: its groups keep ``lr`` as
a float32 Parameter (schedulers compound float32 rounding), its Adam puts eps
where MindSpore's kernel does, not where torch does (see ``adam.py``), its
Adam/AdamW compute bias corrections in float32 from one step counter shared
by all parameters, and it has no ``state_dict``. Its SGD is MindSpore's
``SGD`` kernel, the same rule as torch's (measured within 3e-8 after 50
steps), but the lr storage alone rules it out for scheduler-driven code.
The update math here follows torch's single-tensor (``foreach=False``, the
CPU default) code in float32 numpy, with torch's fused multiply-adds
(``add(alpha=)``, ``addcmul``, ``lerp``) emulated (``_float32.py``; the
scalar ones in one pass by BLAS ``saxpy`` where checked exact, ``_axpy.py``;
Adam/AdamW in one pass of a C kernel where one builds and checks exact,
``_adam_update.py``). On CPU
it runs in place on the Parameters' own memory (``asnumpy()`` shares it) and
reads the gradients without copying them; elsewhere, or for parameters that
are not float32, it works on a float32 copy and stores it back with
``set_data``.
"""
from collections.abc import Iterable
from copy import deepcopy
from itertools import chain

import numpy as np

from msbridge.torch.optim._portable import portable


def _is_parameter(value):
    from mindspore import Parameter
    return isinstance(value, Parameter)


def _float32():
    from mindspore import float32
    return float32


def _typename(value):
    """``torch.typename`` for non-tensors: the qualified type name, bare for builtins."""
    kind = type(value)
    return kind.__qualname__ if kind.__module__ in (None, "builtins") else f"{kind.__module__}.{kind.__qualname__}"


def as_numpy(value):
    """A MindSpore Tensor, torch tensor or array-like as a float32 numpy array (a copy)."""
    if hasattr(value, "asnumpy"):
        return np.array(value.asnumpy(), dtype=np.float32)
    if hasattr(value, "detach"):
        return np.array(value.detach().cpu().numpy(), dtype=np.float32)
    return np.array(value, dtype=np.float32)


def to_tensor(array):
    from mindspore import Tensor
    return Tensor(np.array(array, dtype=np.float32))


def _on_cpu():
    from mindspore import get_context
    return get_context("device_target") == "CPU"


def _gradient_array(grad):
    """A gradient as a float32 array, without a copy where MindSpore's storage already is one (read only)."""
    if hasattr(grad, "asnumpy"):
        array = grad.asnumpy()
        if array.dtype == np.float32:
            return array
    return as_numpy(grad)


class _Scratch:
    """float32 scratch arrays grown to the largest parameter and reused every step (no per-step allocation)."""

    def __init__(self):
        self._flat = []

    def like(self, array, count):
        while len(self._flat) < count:
            self._flat.append(np.empty(0, np.float32))
        for i in range(count):
            if self._flat[i].size < array.size:
                self._flat[i] = np.empty(array.size, np.float32)
        return [flat[:array.size].reshape(array.shape) for flat in self._flat[:count]]


class Optimizer:
    """Base class: subclasses implement ``_update_group(group, params, arrays, grads)`` in numpy, in place."""

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._in_place = _on_cpu()
        self._scratch = _Scratch()
        if _is_parameter(params) or not isinstance(params, Iterable):
            raise TypeError("params argument given to the optimizer should be "
                            "an iterable of Tensors or dicts, but got " + _typename(params))
        self.state = {}
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def add_param_group(self, param_group):
        """torch's checks and defaults, on MindSpore Parameters."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if _is_parameter(params):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but "
                            "the ordering of tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        named = [item for item in param_group["params"] if isinstance(item, tuple)]
        if named:  # torch 2.13 accepts named_parameters()-style (name, param) pairs
            if len(named) != len(param_group["params"]):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = [name for name, _ in named]
            param_group["params"] = [param for _, param in named]
        for param in param_group["params"]:
            if not _is_parameter(param):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(param))
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)
        for group in self.param_groups:
            if ("param_names" in param_group) != ("param_names" in group):
                current = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {current} to the optimizer")
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {key}: {group[key]}\n" for key in sorted(group) if key != "params")
        return text + ")"

    @property
    def parameters(self):
        """Every parameter in ``param_groups`` order: the order ``step(grads)`` expects."""
        return tuple(chain.from_iterable(group["params"] for group in self.param_groups))

    def _state_of(self, param):
        """Per-parameter state, keyed by the Parameter as in torch; values are float32 numpy arrays."""
        return self.state.setdefault(param, {})

    def step(self, grads, closure=None):
        """One update from MindSpore gradients (a tuple, one per parameter in ``parameters`` order)."""
        loss = closure() if closure is not None else None
        grads = tuple(grads)
        params = self.parameters
        if len(grads) != len(params):
            raise ValueError(f"{type(self).__name__}.step expected {len(params)} gradients (one per parameter, in "
                             f"param_groups order), but got {len(grads)}.")
        start = 0
        for group in self.param_groups:
            params = group["params"]
            arrays = [self._param_array(p) for p in params]
            self._update_group(group, params, arrays, [_gradient_array(g) for g in grads[start:start + len(params)]])
            for param, (array, in_place) in zip(params, arrays):
                if not in_place:  # the math is float32; store back in the parameter's own dtype
                    new = to_tensor(array)
                    param.set_data(new if new.dtype == param.dtype else new.astype(param.dtype))
            start += len(params)
        return loss

    def _param_array(self, param):
        """``(float32 array, in_place)``: the Parameter's own memory on CPU, else a float32 copy to store back."""
        if self._in_place and param.dtype == _float32():
            array = param.asnumpy()
            if array.flags.writeable and array.flags.c_contiguous:
                return array, True
        return np.array(param.asnumpy(), dtype=np.float32), False

    __call__ = step

    def zero_grad(self, set_to_none=True):
        """Nothing to clear: MindSpore returns gradients instead of storing ``.grad``."""

    def _update_group(self, group, params, arrays, grads):
        """Update ``arrays[i][0]`` (parameter ``params[i]`` as float32) in place from ``grads[i]`` (read only)."""
        raise NotImplementedError

    # ----- torch's state_dict layout ------------------------------------------------------------
    _TENSOR_STATE = ()

    def state_dict(self):
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        for param in self.parameters:
            if param in self.state and self.state[param]:
                state[index[id(param)]] = {k: portable(v) for k, v in self.state[param].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group "
                             "that doesn't match the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        self.state = {}
        for key, values in state_dict["state"].items():
            if key in id_map:
                self.state[id_map[key]] = {k: (as_numpy(v) if v is not None else None) for k, v in values.items()}
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            group.clear()
            group.update(saved)
