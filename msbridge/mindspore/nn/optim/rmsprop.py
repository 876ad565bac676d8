"""``mindspore.nn.RMSProp`` on torch parameters.

Update (``ApplyRMSProp`` / ``ApplyCenteredRMSProp`` CPU kernels, measured
bit-identical; ms starts at ONES)::

    plain:     ms = fma(fma(g, g, -ms), 1 - decay, ms)       (= decay*ms + (1-decay)*g*g)
               mom = momentum * mom + lr * g / (sqrt(ms) + epsilon)
    centered:  ms = ms + (g*g - ms) * (1 - decay);  mg = mg + (g - mg) * (1 - decay)
               mom = momentum * mom + lr * g / sqrt(ms - mg*mg + epsilon)
    w -= mom

Measured departures from MindSpore's own documentation: the plain kernel adds
``epsilon`` *outside* the root (docs: ``sqrt(ms + epsilon)``; the centered
one puts it inside); where the centered radicand rounds below zero (e.g.
``decay=0``, where ``ms - mg*mg`` cancels), the kernel leaves ``mom`` and
``w`` of that element unchanged instead of producing NaN.

Differences from ``torch.optim.RMSprop``: the mean square starts at 1, not 0
(early steps are much smaller); the centered ``epsilon`` is inside the root
(torch adds ``eps`` outside); the LR multiplies into the momentum buffer
(torch: ``buf = m*buf + g/denom; w -= lr*buf``, which differs when the LR
changes); defaults lr 0.1 (torch 0.01), decay 0.9 (torch alpha 0.99),
epsilon 1e-10 (torch 1e-8).
"""
import torch

from msbridge.mindspore.nn.optim._checks import check_non_negative_float, check_positive_float, check_value_type
from msbridge.mindspore.nn.optim import _fused
from msbridge.mindspore.nn.optim._float32 import f32, fma, sqrt
from msbridge.mindspore.nn.optim.optimizer import Optimizer


class RMSProp(Optimizer):
    """RMSProp (optionally centered, with momentum), MindSpore 2.10 semantics."""

    def __init__(self, params, learning_rate=0.1, decay=0.9, momentum=0.0, epsilon=1e-10,
                 use_locking=False, centered=False, loss_scale=1.0, weight_decay=0.0):
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        check_value_type("decay", decay, [float], self.cls_name)
        check_non_negative_float(decay, "decay", self.cls_name)
        check_value_type("momentum", momentum, [float], self.cls_name)
        check_non_negative_float(momentum, "momentum", self.cls_name)
        check_value_type("epsilon", epsilon, [float], self.cls_name)
        check_positive_float(epsilon, "epsilon", self.cls_name)
        check_value_type("use_locking", use_locking, [bool], self.cls_name)
        check_value_type("centered", centered, [bool], self.cls_name)
        self.centered = centered
        self.decay, self.momentum, self.epsilon = f32(decay), f32(momentum), f32(epsilon)
        self._state_names = ("ms", "moment")
        if centered:
            self.mg = self._zeros_like(self.parameters)
            self._state_names += ("mg",)
        self.ms = self._zeros_like(self.parameters, 1.0)
        self.moment = self._zeros_like(self.parameters)

    def _native_config(self):
        return (self.centered,)

    def _apply(self, gradients, lrs):
        one_minus_decay = f32(1.0) - self.decay
        lib = self._native(gradients, lrs)
        if lib is not None:  # the eager roundings, one pass per parameter
            c, eps, momentum = float(one_minus_decay), float(self.epsilon), float(self.momentum)
            mgs = self.mg if self.centered else (None,) * len(self.parameters)
            for w, g, lr, ms, mom, mg in zip(self.parameters, gradients, self._floats(lrs), self.ms, self.moment, mgs):
                if mg is None:
                    lib.rmsprop(w.numel(), w.data_ptr(), g.data_ptr(), ms.data_ptr(), mom.data_ptr(), lr, c, eps,
                                momentum)
                else:
                    lib.centered_rmsprop(w.numel(), w.data_ptr(), g.data_ptr(), ms.data_ptr(), mom.data_ptr(),
                                         mg.data_ptr(), lr, c, eps, momentum)
            self._written()
            return
        scratch = None if self.centered else self._scratch(gradients)
        if scratch is not None:
            self._fast(gradients, lrs, scratch, one_minus_decay)
            return
        for i, (w, g, lr, ms, mom) in enumerate(zip(self.parameters, gradients, lrs, self.ms, self.moment)):
            if self.centered:
                mg = self.mg[i]
                ms.add_((g * g - ms) * one_minus_decay)
                mg.add_((g - mg) * one_minus_decay)
                denom = sqrt(ms - mg * mg + self.epsilon)
            else:
                ms.copy_(fma(fma(g, g, -ms), one_minus_decay, ms))
                denom = sqrt(ms) + self.epsilon
            new_mom = self.momentum * mom + lr * g / denom
            if self.centered:  # a negative radicand: MindSpore skips the element
                skip = torch.isnan(denom)
                new_mom = torch.where(skip, mom, new_mom)
                w.sub_(torch.where(skip, f32(0.0), new_mom))
            else:
                w.sub_(new_mom)
            mom.copy_(new_mom)

    def _fast(self, gradients, lrs, scratch, one_minus_decay):
        """The plain (not centered) update with the same roundings, over two reused scratch tensors."""
        weight, eps, momentum = _fused.f32(one_minus_decay), float(self.epsilon), float(self.momentum)
        for w, g, lr, ms, mom, (a, b) in zip(self.parameters, gradients, self._floats(lrs), self.ms, self.moment,
                                             scratch):
            _fused.square_moment_(ms, g, weight, a)
            _fused.sqrt_into(a, ms).add_(eps)
            torch.mul(g, lr, out=b).div_(a)  # lr * g / denom
            mom.mul_(momentum).add_(b)
            w.sub_(mom)
