"""``mindspore.nn.Momentum`` on torch parameters.

Update (MindSpore's ``ApplyMomentum`` CPU kernel, measured bit-identical)::

    nesterov:   w -= lr * (g + momentum * accum_old);  accum = momentum * accum_old + g
    otherwise:  accum = momentum * accum + g;          w -= lr * accum

The Nesterov branch uses the accumulator from *before* this step (what the
CPU kernel computes; the documented formula uses the new one). Compared with
``torch.optim.SGD(momentum=m)``: no dampening, the first step also starts from
a zero accumulator (same result), weight decay is L2 on the gradient before
the loss-scale division, ``learning_rate`` and ``momentum`` are required.
"""
import torch

from msbridge.mindspore.nn.optim._checks import check_bool, check_value_type
from msbridge.mindspore.nn.optim._float32 import f32
from msbridge.mindspore.nn.optim.optimizer import Optimizer


class Momentum(Optimizer):
    """Momentum SGD, MindSpore 2.10 semantics."""

    def __init__(self, params, learning_rate, momentum, weight_decay=0.0, loss_scale=1.0, use_nesterov=False):
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        check_value_type("momentum", momentum, [float], self.cls_name)
        if momentum < 0.0:
            raise ValueError("For 'Momentum', the argument 'momentum' must be at least 0.0, "
                             "but got {}".format(momentum))
        self.momentum = f32(momentum)
        self.use_nesterov = check_bool(use_nesterov, None, None)
        self.moments = self._zeros_like(self.parameters)

    _state_names = ("moments",)

    def _apply(self, gradients, lrs):
        lib = self._native(gradients, lrs)
        if lib is not None:  # both branches round the same: a = accum*m + g; w -= a*lr
            momentum = float(self.momentum)
            for w, g, lr, accum in zip(self.parameters, gradients, self._floats(lrs), self.moments):
                lib.momentum(w.numel(), w.data_ptr(), g.data_ptr(), accum.data_ptr(), lr, momentum)
            self._written()
            return
        scratch = self._scratch(gradients)
        if scratch is not None:
            self._fast(gradients, lrs, scratch)
            return
        for w, g, lr, accum in zip(self.parameters, gradients, lrs, self.moments):
            if self.use_nesterov:
                w.sub_(lr * (g + self.momentum * accum))
                accum.mul_(self.momentum).add_(g)
            else:
                accum.mul_(self.momentum).add_(g)
                w.sub_(lr * accum)

    def _fast(self, gradients, lrs, scratch):
        """The same roundings, with the products in a reused scratch tensor instead of fresh ones."""
        momentum = float(self.momentum)
        for w, g, lr, accum, (tmp, _) in zip(self.parameters, gradients, self._floats(lrs), self.moments, scratch):
            if self.use_nesterov:  # lr * (g + momentum * accum_old)
                w.sub_(torch.mul(accum, momentum, out=tmp).add_(g).mul_(lr))
                accum.mul_(momentum).add_(g)
            else:
                accum.mul_(momentum).add_(g)
                w.sub_(torch.mul(accum, lr, out=tmp))
