"""``mindspore.nn.Adam`` on torch parameters.

Update (MindSpore's ``Adam`` CPU kernel; the moments are bit-identical, the
weights agree to ~1 ulp)::

    beta1_power *= beta1; beta2_power *= beta2          (float32, before the update)
    m = fma(g - m, 1 - beta1, m)                        (= beta1*m + (1-beta1)*g)
    v = fma(fma(g, g, -v), 1 - beta2, v)                (= beta2*v + (1-beta2)*g*g)
    lr_t = lr * sqrt(1 - beta2_power) / (1 - beta1_power)
    w -= lr_t * m / (sqrt(v) + eps)                     (nesterov: m -> beta1*m + (1-beta1)*g)

Same algorithm as ``torch.optim.Adam`` with default settings, but eps is added
to ``sqrt(v)`` *after* folding the bias corrections into ``lr_t`` (torch adds it
to ``sqrt(v / (1 - beta2**t))``), so the two differ by about eps-relative
amounts; MindSpore adds ``use_nesterov`` and ``loss_scale``; weight decay is L2
on the gradient (like torch ``Adam``, unlike ``AdamW``). ``use_lazy`` /
``use_offload`` only change the kernel for sparse gradients or the device, so
for dense torch gradients they compute the same update and are accepted.
"""
import numpy as np
import torch

from msbridge.mindspore.nn.optim import _fused
from msbridge.mindspore.nn.optim._checks import (
    check_float_open_range,
    check_non_negative_float,
    check_positive_float,
    check_value_type,
)
from msbridge.mindspore.nn.optim._float32 import f32, fma, sqrt
from msbridge.mindspore.nn.optim.optimizer import Optimizer


def check_adam_values(beta1, beta2, eps, prim, weight_decay=None):
    """MindSpore's ``_check_param_value`` shared by the Adam family (LazyAdam's also checks weight_decay)."""
    check_value_type("beta1", beta1, [float], prim)
    check_value_type("beta2", beta2, [float], prim)
    check_value_type("eps", eps, [float], prim)
    if weight_decay is not None:
        check_value_type("weight_dacay", weight_decay, [float], prim)  # MindSpore's spelling
    check_float_open_range(beta1, 0.0, 1.0, "beta1", prim)
    check_float_open_range(beta2, 0.0, 1.0, "beta2", prim)
    check_positive_float(eps, "eps", prim)
    if weight_decay is not None:
        check_non_negative_float(weight_decay, "weight_decay", prim)


def adam_moments(m, v, g, beta1, beta2):
    """The fused-kernel moment updates, in place."""
    one = f32(1.0)
    m.copy_(fma(g - m, one - beta1, m))
    g64 = g.double()
    v.copy_(fma(torch.addcmul(-v.double(), g64, g64).float(), one - beta2, v))  # fma(fma(g, g, -v), ...)


def adam_kernel(w, m, v, g, lr, beta1, beta2, eps, beta1_power, beta2_power, nesterov, vhat=None):
    """MindSpore's ``Adam`` primitive on one parameter, in place (``vhat``: the AMSGrad variant)."""
    one = f32(1.0)
    if vhat is not None:  # ``ApplyAdamWithAmsgradV2``: divides by ``sqrt(max(vhat, v))``
        adam_moments(m, v, g, beta1, beta2)
        torch.maximum(vhat, v, out=vhat)
        lr_t = lr * sqrt(one - beta2_power) / (one - beta1_power)
        w.sub_(lr_t * m / (sqrt(vhat) + eps))
        return
    adam_moments(m, v, g, beta1, beta2)
    lr_t = lr * sqrt(one - beta2_power) / (one - beta1_power)
    numerator = m * beta1 + (one - beta1) * g if nesterov else m
    w.sub_(lr_t * numerator / (sqrt(v) + eps))


def fast_adam_step(opt, gradients, lrs, scratch, moments1, moments2, nesterov, vhats):
    """``adam_kernel`` on every parameter in float32 passes: the same roundings, no float64 temporaries."""
    one, b1 = np.float32(1.0), _fused.f32(opt.beta1)
    c1, c2, eps = one - b1, one - _fused.f32(opt.beta2), float(opt.eps)
    root, denominator = np.sqrt(one - _fused.f32(opt.beta2_power)), one - _fused.f32(opt.beta1_power)
    for w, g, lr, m, v, vhat, (denom, step) in zip(opt.parameters, gradients, opt._floats(lrs), moments1, moments2,
                                                   vhats, scratch):
        _fused.lerp_moment_(m, g, c1, denom)
        _fused.square_moment_(v, g, c2, denom)
        if vhat is not None:
            torch.maximum(vhat, v, out=vhat)
        lr_t = float(np.float32(lr) * root / denominator)
        _fused.sqrt_into(denom, v if vhat is None else vhat).add_(eps)
        if nesterov:  # round(round(m * beta1) + round((1 - beta1) * g)), then times lr_t
            torch.mul(m, float(b1), out=step).add_(g * float(c1)).mul_(lr_t)
            w.addcdiv_(step, denom, value=-1)  # w - step / denom: -1 * q is exact, one rounding of the difference
        else:  # addcdiv is a + (value * b) / c: w - round(round(lr_t * m) / denom), no pass for the product
            w.addcdiv_(m, denom, value=-lr_t)


def native_adam_step(opt, lib, gradients, lrs, moments1, moments2, nesterov, vhats):
    """``fast_adam_step``'s roundings in one kernel pass per parameter."""
    one, b1 = np.float32(1.0), _fused.f32(opt.beta1)
    c1, c2, eps = float(one - b1), float(one - _fused.f32(opt.beta2)), float(opt.eps)
    root, denominator = np.sqrt(one - _fused.f32(opt.beta2_power)), one - _fused.f32(opt.beta1_power)
    for w, g, lr, m, v, vhat in zip(opt.parameters, gradients, opt._floats(lrs), moments1, moments2, vhats):
        lr_t = float(np.float32(lr) * root / denominator)
        lib.adam(w.numel(), w.data_ptr(), g.data_ptr(), m.data_ptr(), v.data_ptr(),
                 None if vhat is None else vhat.data_ptr(), c1, c2, lr_t, eps, float(b1), int(nesterov))
    opt._written()


class Adam(Optimizer):
    """Adam, MindSpore 2.10 semantics (bias correction folded into the step size)."""

    def __init__(self, params, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, use_locking=False,
                 use_nesterov=False, weight_decay=0.0, loss_scale=1.0, use_amsgrad=False, **kwargs):
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        if set(kwargs.keys()) - {'use_lazy', 'use_offload'}:
            raise KeyError(f"For 'Adam', invalid keys are passed as kwargs, supported keys are 'use_lazy' and"
                           f"'use_offload', but got {kwargs.keys()}.")
        use_lazy = kwargs.get('use_lazy', False)
        use_offload = kwargs.get('use_offload', False)
        check_adam_values(beta1, beta2, eps, self.cls_name)
        for name, value in (("use_locking", use_locking), ("use_nesterov", use_nesterov),
                            ("use_amsgrad", use_amsgrad), ("use_lazy", use_lazy), ("use_offload", use_offload)):
            check_value_type(name, value, [bool], self.cls_name)
        if use_lazy and use_offload:
            raise ValueError(f"For 'Adam', 'use_lazy' and 'use_offload' can not both be True."
                             f"But got use_lazy={use_lazy}, use_offload={use_offload}.")
        if use_amsgrad and (use_lazy or use_offload):
            raise ValueError(f"For lazy Adam and Adam with offload, there is no parameter named 'use_amsgrad'."
                             f"but got 'use_amsgrad'={use_amsgrad}.")
        self.beta1, self.beta2, self.eps = f32(beta1), f32(beta2), f32(eps)
        self.beta1_power = f32(1.0)
        self.beta2_power = f32(1.0)
        self.use_nesterov = use_nesterov
        self.use_amsgrad = use_amsgrad
        self.moment1 = self._zeros_like(self.parameters)
        self.moment2 = self._zeros_like(self.parameters)
        self._state_names = ("moment1", "moment2")
        if use_amsgrad:
            self.vhat = self._zeros_like(self.parameters)
            self._state_names += ("vhat",)

    def _native_config(self):  # the eager first moment takes another branch from 1 - beta1 >= 0.5 (``lerp_moment_``)
        return (self.use_nesterov, self.use_amsgrad, float(self.beta1) <= 0.5)

    def _apply(self, gradients, lrs):
        self.beta1_power = self.beta1_power * self.beta1
        self.beta2_power = self.beta2_power * self.beta2
        vhats = self.vhat if self.use_amsgrad else (None,) * len(self.parameters)
        nesterov = self.use_nesterov and not self.use_amsgrad
        lib = self._native(gradients, lrs)
        if lib is not None:
            native_adam_step(self, lib, gradients, lrs, self.moment1, self.moment2, nesterov, vhats)
            return
        scratch = self._scratch(gradients)
        if scratch is not None:
            fast_adam_step(self, gradients, lrs, scratch, self.moment1, self.moment2, nesterov, vhats)
            return
        for w, g, lr, m, v, vhat in zip(self.parameters, gradients, lrs, self.moment1, self.moment2, vhats):
            adam_kernel(w, m, v, g, lr, self.beta1, self.beta2, self.eps, self.beta1_power, self.beta2_power,
                        nesterov, vhat)
