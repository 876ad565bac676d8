"""``mindspore.nn.Adagrad`` on torch parameters.

Update (MindSpore's ``ApplyAdagrad`` CPU kernel; ~1 ulp)::

    accum += g * g
    w -= lr * g * (1 / sqrt(accum))        (sqrt correctly rounded)

Differences from ``torch.optim.Adagrad``: no ``eps`` in the denominator, no
``lr_decay``; the accumulator starts at ``accum=0.1`` (torch
``initial_accumulator_value=0``); default LR 0.001 (torch 0.01); weight decay
is L2 on the gradient before the loss-scale division. ``update_slots=False``
is accepted but, on MindSpore 2.10 CPU, the kernel updates ``accum`` anyway
(measured), so we do too.
"""
from msbridge.mindspore.nn.optim._checks import check_non_negative_float, check_value_type
import torch

from msbridge.mindspore.nn.optim import _fused
from msbridge.mindspore.nn.optim._float32 import f32, sqrt
from msbridge.mindspore.nn.optim.optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad, MindSpore 2.10 semantics."""

    def __init__(self, params, accum=0.1, learning_rate=0.001, update_slots=True, loss_scale=1.0, weight_decay=0.0):
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        check_value_type("accum", accum, [float], self.cls_name)
        check_value_type("update_slots", update_slots, [bool], self.cls_name)
        check_non_negative_float(accum, "accum", self.cls_name)
        self.update_slots = update_slots
        self.accum = self._zeros_like(self.parameters, accum)

    _state_names = ("accum",)

    def _apply(self, gradients, lrs):
        one = f32(1.0)
        lib = self._native(gradients, lrs)
        if lib is not None:  # the fast path's roundings, one pass per parameter
            for w, g, lr, accum in zip(self.parameters, gradients, self._floats(lrs), self.accum):
                lib.adagrad(w.numel(), w.data_ptr(), g.data_ptr(), accum.data_ptr(), lr)
            self._written()
            return
        scratch = self._scratch(gradients)
        if scratch is not None:
            self._fast(gradients, lrs, scratch)
            return
        for w, g, lr, accum in zip(self.parameters, gradients, lrs, self.accum):
            accum.add_(g * g)
            w.sub_(lr * g * (one / sqrt(accum)))

    def _fast(self, gradients, lrs, scratch):
        """The same roundings, in place over two reused scratch tensors per parameter."""
        one = f32(1.0)
        for w, g, lr, accum, (a, b) in zip(self.parameters, gradients, self._floats(lrs), self.accum, scratch):
            accum.add_(torch.mul(g, g, out=a))
            torch.div(one, _fused.sqrt_into(a, accum), out=a)  # 1 / sqrt(accum)
            w.sub_(torch.mul(g, lr, out=b).mul_(a))
