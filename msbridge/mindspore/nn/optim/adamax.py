"""``mindspore.nn.AdaMax`` on torch parameters.

Update (``ApplyAdaMax``)::

    beta1_power *= beta1                       (before the update)
    m = beta1 * m + (1 - beta1) * g
    v = max(beta2 * v, |g|)
    w -= lr / (1 - beta1_power) * m / (v + eps)

Same algorithm as ``torch.optim.Adamax`` (torch: ``max(beta2*v, |g| + eps)``
and ``clr = lr / (1 - beta1**t)``, so eps sits in a different place);
defaults lr 0.001 (torch 0.002); weight decay is L2 on the gradient before the
loss-scale division.
"""
import numpy as np
import torch

from msbridge.mindspore.nn.optim import _fused
from msbridge.mindspore.nn.optim._float32 import f32
from msbridge.mindspore.nn.optim.adam import check_adam_values
from msbridge.mindspore.nn.optim.optimizer import Optimizer


class AdaMax(Optimizer):
    """AdaMax, MindSpore 2.10 semantics."""

    def __init__(self, params, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.0,
                 loss_scale=1.0):
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        check_adam_values(beta1, beta2, eps, self.cls_name)
        self.beta1, self.beta2, self.eps = f32(beta1), f32(beta2), f32(eps)
        self.beta1_power = f32(1.0)
        self.moment1 = self._zeros_like(self.parameters)
        self.moment2 = self._zeros_like(self.parameters)

    _state_names = ("moment1", "moment2")

    def _apply(self, gradients, lrs):
        self.beta1_power = self.beta1_power * self.beta1
        one = f32(1.0)
        lib = self._native(gradients, lrs)
        if lib is not None:  # the fast path's roundings, one pass per parameter
            b1 = _fused.f32(self.beta1)
            c1, bias = float(np.float32(1.0) - b1), np.float32(1.0) - _fused.f32(self.beta1_power)
            b2, eps = float(self.beta2), float(self.eps)
            for w, g, lr, m, v in zip(self.parameters, gradients, self._floats(lrs), self.moment1, self.moment2):
                lib.adamax(w.numel(), w.data_ptr(), g.data_ptr(), m.data_ptr(), v.data_ptr(), float(b1), c1, b2,
                           float(np.float32(lr) / bias), eps)
            self._written()
            return
        scratch = self._scratch(gradients)
        if scratch is not None:
            self._fast(gradients, lrs, scratch)
            return
        for w, g, lr, m, v in zip(self.parameters, gradients, lrs, self.moment1, self.moment2):
            m.copy_(self.beta1 * m + (one - self.beta1) * g)
            v.copy_(torch.maximum(self.beta2 * v, torch.abs(g)))
            w.sub_(lr / (one - self.beta1_power) * m / (v + self.eps))

    def _fast(self, gradients, lrs, scratch):
        """The same roundings, in place over two reused scratch tensors per parameter."""
        one, b1 = np.float32(1.0), _fused.f32(self.beta1)
        c1, b2, eps, bias = float(one - b1), float(self.beta2), float(self.eps), one - _fused.f32(self.beta1_power)
        for w, g, lr, m, v, (a, _) in zip(self.parameters, gradients, self._floats(lrs), self.moment1, self.moment2,
                                          scratch):
            m.mul_(float(b1)).add_(torch.mul(g, c1, out=a))
            torch.maximum(v.mul_(b2), torch.abs(g, out=a), out=v)
            # addcdiv is a + (value * b) / c: w - round(round(lr / (1 - beta1_power) * m) / (v + eps))
            w.addcdiv_(m, torch.add(v, eps, out=a), value=-float(np.float32(lr) / bias))
