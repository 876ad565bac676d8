"""A torch-shaped view (``param_groups`` of dicts, ``defaults``) over an optimizer.

torch's schedulers read and write ``group['lr']`` (and ``'momentum'`` /
``'betas'``) as Python floats.  MindSpore keeps those values in float32
Parameters or Tensors.  A scheduler that read the float32 value back every
step would drift from torch (chainable schedules compound the rounding), so
each value here is a *slot*: a float64 shadow that the schedulers see, and a
float32 copy written into the place the MindSpore optimizer reads it.  If
something else changes the MindSpore value (``ops.assign`` by the user), the
slot adopts that value, as torch's schedulers adopt a hand-edited
``group['lr']``.

Supported optimizers:
  1. ``mindspore.nn`` optimizers with a fixed learning rate (one group per
     distinct ``learning_rate`` Parameter; ``momentum`` Parameter and
     ``beta1``/``beta2`` Tensors for momentum cycling);
  2. ``mindspore.experimental.optim`` optimizers (their ``param_groups``);
  3. torch-shaped optimizers whose ``param_groups`` are dicts holding a Python
     float ``'lr'`` (used as they are: no float32 storage to mirror).
"""
from __future__ import annotations

import numbers
import weakref
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any

import numpy as np

SUPPORTED = (
    "a mindspore.nn optimizer built with a fixed learning rate, "
    "a mindspore.experimental.optim optimizer, "
    "or a torch-shaped optimizer whose param_groups are dicts with a float 'lr'"
)

_VIEWS: "weakref.WeakKeyDictionary[Any, Any]" = weakref.WeakKeyDictionary()


def decimal_of_float32(value: float) -> float:
    """The shortest decimal that rounds to this float32 (``0.1f`` -> ``0.1``).

    MindSpore keeps only float32(lr); the user wrote a short decimal such as
    0.1 or 3e-4, and torch starts from that float64 value, not from
    0.10000000149011612.  Values with more than ~7 significant digits cannot be
    recovered this way: set them through ``param_groups(opt)[i]['lr'] = x``.
    """
    return float(str(np.float32(value)))


class Slot:
    """One hyper-parameter: float64 value for the schedulers, float32 copy for MindSpore.

    Reads never touch MindSpore: reading a value back after an asynchronous
    write waits for the device (measured: 2-4 ms per scheduler step instead of
    tens of microseconds).  ``refresh()`` re-reads it on purpose.
    """

    __slots__ = ("_read", "_write", "value", "_written")

    def __init__(self, read: Callable[[], float], write: Callable[[np.float32], None]):
        self._read = read
        self._write = write
        self._written = read()
        self.value = decimal_of_float32(self._written)

    def refresh(self) -> None:
        """Adopt the MindSpore value if something else changed it (``ops.assign``, a loaded checkpoint)."""
        current = self._read()
        if current != self._written and current == current:
            self._written = current
            self.value = decimal_of_float32(current)

    def set(self, value) -> None:
        f32 = np.float32(value)
        self._write(f32)
        self.value = value
        self._written = float(f32)


def _tensor(value: np.float32):
    from mindspore import Tensor

    return Tensor(value)


def _parameter(value: np.float32, name: str):
    from mindspore import Parameter

    return Parameter(_tensor(value), name=name, requires_grad=False)


def _on_cpu() -> bool:
    from mindspore import get_context

    return get_context("device_target") == "CPU"


def _copy_into(tensor, value: np.float32) -> None:
    """Overwrite a MindSpore tensor's storage through an op (devices; tensors that are not 0-d)."""
    tensor.copy_(_tensor(value))


class StorageWriter:
    """Writes float32 values into the storage of the 0-d tensor ``get()`` returns.

    The optimizer's compiled step keeps the storage it first saw:
    ``Parameter.set_data`` or replacing the attribute installs new storage the
    step never reads (measured: the LR change is silently ignored), so every
    write goes *into* the storage. Measured per write, in one run
    (bench_torch_lr_scheduler.py --writes): ``copy_`` of a new ``Tensor``
    ~20x torch's whole ``ExponentialLR.step()`` (it builds a Tensor and
    launches an op; ``ops.assign`` is slower still), ``asnumpy()`` and a store
    ~4x, a store into a kept numpy view of the storage ~0.03x. On CPU
    ``asnumpy()`` *is* the storage (documented: "share the same underlying
    storage"), so the view is kept, and re-taken when ``data_ptr()`` (~0.15x)
    shows the tensor now has other storage. A step already launched reads the
    value it was launched with (tested: tests/torch/test_lrsched_adapter.py).
    On a device ``asnumpy()`` is a host copy: there ``copy_`` does the write.
    """

    __slots__ = ("_get", "_cpu", "_view", "_ptr")

    def __init__(self, get: Callable[[], Any]):
        self._get = get
        self._cpu = _on_cpu()
        self._view = None
        self._ptr = None

    def __call__(self, value: np.float32) -> None:
        tensor = self._get()
        if not self._cpu:
            _copy_into(tensor, value)
            return
        ptr = tensor.data_ptr()
        if ptr != self._ptr:
            self._view, self._ptr = (tensor.asnumpy() if tensor.shape == () else None), ptr
        if self._view is None:
            _copy_into(tensor, value)
        else:
            self._view[()] = value


def parameter_slot(param) -> Slot:
    """Slot over a 0-d float32 Parameter (``learning_rate``, ``momentum``, experimental 'lr')."""
    return Slot(lambda: float(param), StorageWriter(lambda: param))


def attribute_slot(owner, name: str) -> Slot:
    """Slot over a Tensor attribute the optimizer reads each call (nn.Adam's ``beta1``)."""
    ref = weakref.ref(owner)  # the view is cached per optimizer: no strong cycle to it
    return Slot(lambda: float(getattr(ref(), name)), StorageWriter(lambda: getattr(ref(), name)))


def _as_parameter(value, name: str):
    """A float in a group dict becomes a float32 Parameter (once), so later writes are in place.

    A changing Python float there would make MindSpore's ``@jit`` step
    recompile on every new value (measured: ~150 ms per step), and a plain
    Tensor would be a constant inside a compiled train step.
    """
    from mindspore import Parameter

    return value if isinstance(value, Parameter) else _parameter(np.float32(value), name)


def dict_slot(group: dict, key: str, name: str) -> Slot:
    """Slot over ``group[key]`` (experimental SGD's 'momentum')."""

    store = StorageWriter(lambda: group[key])

    def write(v):
        group[key] = _as_parameter(group[key], name)
        store(v)

    return Slot(lambda: float(group[key]), write)


def beta_slot(group: dict, index: int, name: str) -> Slot:
    """Slot over ``group['betas'][index]`` of an experimental Adam-like group."""

    store = StorageWriter(lambda: group["betas"][index])

    def write(v):
        betas = list(group["betas"])
        if not _is_parameter(betas[index]):
            betas[index] = _as_parameter(betas[index], name)
            group["betas"] = tuple(betas)
        store(v)

    return Slot(lambda: float(group["betas"][index]), write)


class ParamGroupView(MutableMapping):
    """A torch-shaped param group: slot-backed keys plus a plain dict for the rest."""

    def __init__(self, store: dict, slots: dict[str, Slot], betas: tuple[Slot, Slot] | None = None):
        self._store = store
        self._slots = slots
        self._betas = betas

    def __getitem__(self, key):
        slot = self._slots.get(key)
        if slot is not None:
            return slot.value
        if key == "betas" and self._betas is not None:
            return (self._betas[0].value, self._betas[1].value)
        return self._store[key]

    def __setitem__(self, key, value) -> None:
        slot = self._slots.get(key)
        if slot is not None:
            slot.set(value)
        elif key == "betas" and self._betas is not None:
            for beta_slot, beta in zip(self._betas, value, strict=True):
                if beta != beta_slot.value:
                    beta_slot.set(beta)
        else:
            self._store[key] = value

    def refresh(self) -> None:
        for slot in (*self._slots.values(), *(self._betas or ())):
            slot.refresh()

    def __delitem__(self, key) -> None:
        if key in self._slots or (key == "betas" and self._betas is not None):
            raise KeyError(f"{key!r} is held by the MindSpore optimizer and cannot be removed")
        del self._store[key]

    def _keys(self) -> list:
        keys = list(self._slots)
        if self._betas is not None:
            keys.append("betas")
        return keys + [key for key in self._store if key not in keys]

    def __iter__(self) -> Iterator:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())

    def __repr__(self) -> str:
        return f"ParamGroupView({dict(self)!r})"


class _NnView:
    """``mindspore.nn.Optimizer``: one group per distinct ``learning_rate`` Parameter."""

    def __init__(self, opt):
        from mindspore import Parameter, nn

        if opt.dynamic_lr:
            raise TypeError(
                f"{type(opt).__name__} was built with a dynamic learning rate (a list, a 1-D Tensor "
                "or a LearningRateSchedule), which MindSpore computes itself every step; a scheduler "
                "cannot drive it. Build the optimizer with a float learning_rate (e.g. "
                f"learning_rate=0.1) and let the scheduler change it. Supported: {SUPPORTED}."
            )
        if isinstance(getattr(opt, "opt", None), nn.Optimizer):  # nn.LARS: its learning_rate is a placeholder
            raise TypeError(
                f"{type(opt).__name__} takes its learning rate from the optimizer it wraps "
                f"({type(opt.opt).__name__}); give that optimizer to the scheduler. Supported: {SUPPORTED}."
            )
        lr_params = list(opt.learning_rate) if opt.is_group_lr else [opt.learning_rate]
        params = list(opt.parameters)
        owners = list(opt.group_lr) if opt.is_group_lr else [opt.learning_rate] * len(params)
        distinct: list = []
        for lr in [*_lrs_in_user_group_order(opt), *lr_params]:
            if not any(lr is seen for seen in distinct):
                distinct.append(lr)
        self.defaults: dict[str, Any] = {"lr": float(distinct[0])}
        slots: dict[str, Slot] = {}
        if isinstance(getattr(opt, "momentum", None), Parameter):
            slots["momentum"] = parameter_slot(opt.momentum)  # one momentum for every group
            self.defaults["momentum"] = slots["momentum"].value
        betas = None
        if _is_tensor(getattr(opt, "beta1", None)) and _is_tensor(getattr(opt, "beta2", None)):
            betas = (attribute_slot(opt, "beta1"), attribute_slot(opt, "beta2"))
            self.defaults["betas"] = (betas[0].value, betas[1].value)
        self.param_groups = [
            ParamGroupView(
                {"params": [p for p, owner in zip(params, owners) if owner is lr]},
                {"lr": parameter_slot(lr), **slots},
                betas,
            )
            for lr in distinct
        ]


def _lrs_in_user_group_order(opt) -> list:
    """The lr Parameters in the order of the user's group dicts.

    ``order_params`` re-sorts MindSpore's per-parameter lists into network
    order; per-group arguments (``max_lr=[...]``) follow the dicts the user
    wrote, which the optimizer keeps in ``init_params``.
    """
    groups = getattr(opt, "init_params", {}).get("params")
    if not isinstance(groups, list) or not all(isinstance(group, dict) for group in groups):
        return []
    ordered = []
    for group in groups:
        params = group.get("params")
        if "order_params" not in group and isinstance(params, (list, tuple)) and params:
            ordered.append(opt.get_lr_parameter(params[0]))
    return ordered


class _ExperimentalView:
    """``mindspore.experimental.optim.Optimizer``: its own ``param_groups``, lr in float32 Parameters."""

    def __init__(self, opt):
        self._source = opt.param_groups  # add_param_group() appends to this list
        self.defaults = opt.defaults
        self._groups: list[ParamGroupView] = []

    @property
    def param_groups(self) -> list[ParamGroupView]:
        for group in self._source[len(self._groups):]:  # groups added after the view was built
            i = len(self._groups)
            slots = {"lr": parameter_slot(group["lr"])}
            if "momentum" in group:
                slots["momentum"] = dict_slot(group, "momentum", f"momentum_group_{i}")
            betas = None
            if "betas" in group:
                betas = (beta_slot(group, 0, f"beta1_group_{i}"), beta_slot(group, 1, f"beta2_group_{i}"))
            self._groups.append(ParamGroupView(group, slots, betas))
        return self._groups


def _is_parameter(value) -> bool:
    from mindspore import Parameter

    return isinstance(value, Parameter)


def _is_tensor(value) -> bool:
    from mindspore import Tensor

    return isinstance(value, Tensor)


def _is_torch_shaped(opt) -> bool:
    groups = getattr(opt, "param_groups", None)
    return (
        isinstance(groups, list)
        and len(groups) > 0
        and all(isinstance(g, Mapping) and isinstance(g.get("lr"), numbers.Real) for g in groups)
    )


def _build_view(opt):
    from mindspore import nn
    from mindspore.experimental import optim as experimental

    if isinstance(opt, experimental.Optimizer):
        return _ExperimentalView(opt)
    if isinstance(opt, nn.Optimizer):
        return _NnView(opt)
    if _is_torch_shaped(opt):
        return _AS_IS
    raise TypeError(f"{type(opt).__name__} is not an Optimizer a scheduler can drive; supported: {SUPPORTED}.")


_AS_IS = object()  # a torch-shaped optimizer is its own view


def optimizer_view(opt):
    """The torch-shaped view of ``opt`` (``.param_groups``, ``.defaults``), one per optimizer.

    Every scheduler on the same optimizer shares the view, hence the same
    float64 values: chained and sequential schedulers read what the previous
    one wrote, as in torch.
    """
    try:
        view = _VIEWS.get(opt)
    except TypeError:  # not hashable or not weak-referenceable: build each time
        view = _build_view(opt)
        return opt if view is _AS_IS else view
    if view is None:
        view = _build_view(opt)
        try:
            _VIEWS[opt] = view
        except TypeError:
            pass
    return opt if view is _AS_IS else view


def param_groups(opt) -> list:
    """torch-shaped ``param_groups`` of any supported optimizer, re-read from MindSpore.

    Use it where torch code touches ``optimizer.param_groups`` directly, e.g.
    to set ``'initial_lr'`` before resuming with ``last_epoch=k``, or after
    changing the LR on the MindSpore side (``ops.assign``): the schedulers do
    not read MindSpore back on every step, this call (like building a
    scheduler or ``load_state_dict``) makes them adopt such a change.
    """
    groups = optimizer_view(opt).param_groups
    for group in groups:
        if isinstance(group, ParamGroupView):
            group.refresh()
    return groups
