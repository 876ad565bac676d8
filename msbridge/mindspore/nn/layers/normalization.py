"""``mindspore.nn.LayerNorm`` and ``mindspore.nn.BatchNorm2d`` on torch: MindSpore's signature, torch's class.

Why twins: ported code passes these classes as values (``norm_layer=nn.LayerNorm``,
``partial(nn.LayerNorm, epsilon=1e-6)``) and calls them later with MindSpore's argument names; the
native torch class would take ``epsilon=`` as an error and MindSpore's momentum the wrong way round.
Each twin subclasses the torch class, so ``isinstance(m, torch.nn.LayerNorm)`` holds and the parameters
keep torch's names (``weight``/``bias``/``running_mean``/``running_var``), as the layers the converter
writes for direct calls do. Tested against real MindSpore (tests/layers/test_norm_twins.py).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from msbridge.mindspore.nn.layers._init import apply_init
from msbridge.mindspore.nn.layers.validator import check_input, data_format as check_data_format, float_attribute


def _check_float32(cls: str, dtype) -> None:
    if dtype is not None and dtype is not torch.float32:
        raise TypeError(f"For '{cls}', msbridge supports only dtype float32, but got {dtype!r}.")


def _init(tensor, init, default) -> None:
    if not (isinstance(init, str) and init == default):
        apply_init(tensor, init)


def _alias(torch_name: str) -> property:
    """MindSpore's name for a parameter torch's class holds (``cell.gamma`` in mindcv's weight-init loops); not a
    second entry: state_dict and named_parameters keep torch's names."""
    return property(lambda self: getattr(self, torch_name), doc=f"MindSpore's name for ``{torch_name}``.")


def _axis(name: str, value, rank: int) -> int:
    """MindSpore's LayerNorm axis: -1 or in [0, rank) (checked when it runs, as MindSpore's primitive does)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"For 'LayerNorm', the '{name}' must be an int, but got {type(value).__name__}.")
    if not -1 <= value < rank:
        raise RuntimeError(f"For primitive[LayerNorm], input_x's rank is {rank}, while the '{name}' value should be "
                           f"in the range [-1, {rank}), but got {value}")
    return value % rank


class LayerNorm(torch.nn.LayerNorm):
    """Normalise over the axes from ``begin_norm_axis`` on; ``weight``/``bias`` (MindSpore's gamma/beta) have
    ``normalized_shape`` and apply from ``begin_params_axis`` on."""

    gamma, beta = _alias("weight"), _alias("bias")

    def __init__(self, normalized_shape, begin_norm_axis=-1, begin_params_axis=-1, gamma_init="ones",
                 beta_init="zeros", epsilon=1e-7, dtype=None):
        if not isinstance(normalized_shape, (tuple, list)):
            raise TypeError("For 'LayerNorm', the type of 'normalized_shape' must be tuple[int] or list[int], "
                            f"but got {normalized_shape} and the type is {type(normalized_shape)}.")
        if not normalized_shape:
            raise ValueError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
                             f"element, but got normalized_shape = {normalized_shape}")
        if not all(isinstance(size, int) and size > 0 for size in normalized_shape):   # True is a 1, as there
            raise ValueError("For 'initializer', the argument 'shape' is invalid, the value of 'shape' must be "
                             f"positive integer, but got {tuple(normalized_shape)}")
        _check_float32("LayerNorm", dtype)
        super().__init__(tuple(int(size) for size in normalized_shape), eps=epsilon)
        self.begin_norm_axis, self.begin_params_axis = begin_norm_axis, begin_params_axis
        _init(self.weight, gamma_init, "ones")
        _init(self.bias, beta_init, "zeros")

    def forward(self, x):
        check_input(x, "LayerNorm", dtype=self.weight.dtype)
        float_attribute(self.eps, "epsilon", "LayerNorm")
        norm_axis = _axis("begin_norm_axis", self.begin_norm_axis, x.dim())
        params_axis = _axis("begin_params_axis", self.begin_params_axis, x.dim())
        if tuple(x.shape[params_axis:]) != self.normalized_shape:
            raise ValueError(f"For 'LayerNorm', gamma or beta shape must match input shape, but got input shape: "
                             f"{list(x.shape)}, gamma shape: {list(self.normalized_shape)}, begin_params_axis: "
                             f"{self.begin_params_axis}.")
        if norm_axis == params_axis:   # torch's own case: the axes normalised are the parameters' axes
            return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return F.layer_norm(x, tuple(x.shape[norm_axis:]), None, None, self.eps) * self.weight + self.bias

    def extra_repr(self) -> str:
        return (f"{super().extra_repr()}, begin_norm_axis={self.begin_norm_axis}, "
                f"begin_params_axis={self.begin_params_axis}")


class BatchNorm2d(torch.nn.BatchNorm2d):
    """MindSpore's momentum weighs the old running value: torch's ``momentum`` attribute is ``1 - momentum``
    (MindSpore's layer stores the same). ``use_batch_statistics`` True/False overrides the train/eval mode.
    Built in inference mode, as MindSpore builds it; a network's ``train()`` sets it as it sets torch's layers."""

    gamma, beta = _alias("weight"), _alias("bias")
    moving_mean, moving_variance = _alias("running_mean"), _alias("running_var")

    def __init__(self, num_features, eps=1e-5, momentum=0.9, affine=True, gamma_init="ones", beta_init="zeros",
                 moving_mean_init="zeros", moving_var_init="ones", use_batch_statistics=None, data_format="NCHW",
                 dtype=None):
        if isinstance(num_features, bool) or not isinstance(num_features, int):
            raise TypeError(f"For 'BatchNorm2d', the type of 'num_features' should be 'int', but got type "
                            f"'{type(num_features).__name__}'.")
        if num_features < 1:
            raise ValueError(f"For 'BatchNorm2d', the 'num_features' must be at least 1, but got {num_features}.")
        if momentum < 0 or momentum > 1:
            raise ValueError(f"For 'BatchNorm2d', the 'momentum' must be a number in range [0, 1], but got {momentum}.")
        check_data_format(data_format, "BatchNorm2d")   # MindSpore runs NHWC on GPUs only; msbridge not at all
        if use_batch_statistics is not None and not isinstance(use_batch_statistics, bool):
            raise ValueError("For 'BatchNorm2d', the 'use_batch_statistics' must be a boolean value or None, "
                             f"but got {use_batch_statistics}.")
        if not isinstance(affine, bool):
            raise TypeError("The argument `requires_grad` must be bool type")
        if not affine and not (gamma_init == "ones" and beta_init == "zeros"):
            raise ValueError("For 'BatchNorm2d', msbridge supports affine=False only with gamma_init='ones' and "
                             "beta_init='zeros' (MindSpore would keep other values fixed).")
        _check_float32("BatchNorm2d", dtype)
        super().__init__(num_features, eps=eps, momentum=1.0 - momentum, affine=affine)
        self.use_batch_statistics = use_batch_statistics
        if affine:
            _init(self.weight, gamma_init, "ones")
            _init(self.bias, beta_init, "zeros")
        _init(self.running_mean, moving_mean_init, "zeros")
        _init(self.running_var, moving_var_init, "ones")
        self.train(False)   # as MindSpore builds a Cell (a call through a class value gets no .eval())

    def forward(self, x):
        self._check_input_dim(x)
        check_input(x, "BatchNorm2d", dtype=self.running_mean.dtype)
        float_attribute(self.eps, "epsilon", "BatchNorm")
        if x.shape[1] != self.num_features:
            raise ValueError(f"For 'BatchNorm2d', the input's channel axis must be 'num_features' "
                             f"({self.num_features}), but got input shape {tuple(x.shape)}.")
        if self.use_batch_statistics is None:   # batch statistics in train(), running ones in eval()
            return super().forward(x)
        if self.use_batch_statistics:
            self.num_batches_tracked.add_(1)
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            self.use_batch_statistics, self.momentum, self.eps)
