"""``mindspore.nn.SGD`` on torch parameters.

Update (MindSpore's ``SGD`` kernel, measured bit-identical on CPU)::

    momentum == 0:  w -= lr * g                  (accum/stat untouched, dampening ignored)
    first step:     accum = g                    (stat == 1)
    later:          accum = momentum * accum + (1 - dampening) * g
    nesterov:       w -= lr * (g + momentum * accum)
    otherwise:      w -= lr * accum

The same rule as ``torch.optim.SGD``. The differences are around it: weight
decay is added to the gradient before the loss-scale division and skips
'beta'/'gamma' names without groups; the LR is read at ``global_step``
(lists, tensors, schedules); default ``lr`` is 0.1 (torch 0.001); the
momentum buffer exists (zeros) before the first step.
"""
import numpy as np
import torch

from msbridge.mindspore.nn.optim._checks import check_value_type
from msbridge.mindspore.nn.optim._float32 import f32
from msbridge.mindspore.nn.optim.optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum, MindSpore 2.10 semantics."""

    def __init__(self, params, learning_rate=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
                 loss_scale=1.0):
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        if isinstance(momentum, int):
            momentum = float(momentum)
        if not isinstance(momentum, float):
            raise TypeError(f"For 'SGD', the argument 'momentum' must be float type, but got {type(momentum)}.")
        if momentum < 0.0:
            raise ValueError(f"For 'SGD', the argument 'momentum' must be at least 0.0, but got {momentum}.")
        if isinstance(dampening, int):
            dampening = float(dampening)
        if not isinstance(dampening, float):
            raise TypeError(f"For 'SGD', the argument 'dampening' must be float type, but got {type(dampening)}.")
        if dampening < 0.0:
            raise ValueError(f"For 'SGD', the argument 'dampening' must be at least 0.0, "
                             f"but got 'dampening' {dampening}")
        self.dampening = dampening
        check_value_type("nesterov", nesterov, [bool], self.cls_name)
        if nesterov and (momentum <= 0.0 or dampening != 0.0):
            raise ValueError(f"For 'SGD', if 'nesterov' is true, 'momentum' must be > 0.0 and 'dampening' must "
                             f"equal to 0.0, but got 'momentum' {momentum}, 'dampening' {dampening}.")
        self.nesterov = nesterov
        if self.dynamic_weight_decay:
            raise TypeError("For 'SGD', dynamic weight decay is currently not supported, the argument 'weight_decay' "
                            "or 'weight_decay' set in grouped 'params' must be float or int type.")
        self.momentum = f32(momentum)
        self.accum = self._zeros_like(self.parameters)
        self.stat = self._zeros_like(self.parameters, 1.0)
        self._stat_zeroed = {}  # id(stat) -> stat._version right after the fast path zeroed it

    _state_names = ("accum",)  # ``stat`` is read (first step) and zeroed here, not by the kernel
    _flag_state_names = ("stat",)  # checked with the others, so the kernel may read it

    def _native_config(self):
        return (float(self.momentum) == 0, self.nesterov)

    def _apply(self, gradients, lrs):
        lib = self._native(gradients, lrs)
        if lib is not None:
            momentum, damped = float(self.momentum), float(np.float32(1) - np.float32(self.dampening))
            for w, g, lr, accum, stat in zip(self.parameters, gradients, self._floats(lrs), self.accum, self.stat):
                first = momentum != 0 and self._stat_zeroed.get(id(stat)) != stat._version and bool(stat.any())
                lib.sgd(w.numel(), w.data_ptr(), g.data_ptr(), accum.data_ptr(), stat.data_ptr() if first else None,
                        lr, momentum, damped, int(self.nesterov))
                if first:
                    stat.zero_()
                    self._stat_zeroed[id(stat)] = stat._version
            self._written()
            return
        one_minus_dampening = 1 - f32(self.dampening)
        scratch = self._scratch(gradients)
        if scratch is not None:
            self._fast(gradients, lrs, scratch, one_minus_dampening)
            return
        for w, g, lr, accum, stat in zip(self.parameters, gradients, lrs, self.accum, self.stat):
            if self.momentum == 0:
                w.sub_(lr * g)
                continue
            accum.copy_(torch.where(stat > 0, g, self.momentum * accum + one_minus_dampening * g))
            stat.zero_()
            update = g + self.momentum * accum if self.nesterov else accum
            w.sub_(lr * update)

    def _fast(self, gradients, lrs, scratch, one_minus_dampening):
        """The same roundings in place; the first-step select only runs while some ``stat`` is set.

        ``stat`` is all zeros after the first step; torch's version counter
        of each ``stat`` tells whether anything wrote to it since we zeroed
        it, so the check costs no pass over it.
        """
        momentum, damped = float(self.momentum), float(one_minus_dampening)
        for w, g, lr, accum, stat, (tmp, _) in zip(self.parameters, gradients, self._floats(lrs), self.accum,
                                                   self.stat, scratch):
            if momentum == 0:
                w.sub_(torch.mul(g, lr, out=tmp))
                continue
            accum.mul_(momentum)
            accum.add_(g if damped == 1 else torch.mul(g, damped, out=tmp))  # 1 * g is exact
            if self._stat_zeroed.get(id(stat)) != stat._version and stat.any():  # version: written since we zeroed?
                torch.where(stat > 0, g, accum, out=accum)
                stat.zero_()
                self._stat_zeroed[id(stat)] = stat._version
            if self.nesterov:  # lr * (g + momentum * accum)
                w.sub_(torch.mul(accum, momentum, out=tmp).add_(g).mul_(lr))
            else:
                w.sub_(torch.mul(accum, lr, out=tmp))
