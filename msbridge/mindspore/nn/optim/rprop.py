"""``mindspore.nn.Rprop`` on torch parameters.

Update (MindSpore's ``construct``, float32)::

    step 1:  step_size = lr   (the LR is read on the first step only)
    s = sign(g * prev) -> etaplus if > 0, etaminus if < 0, 1 if 0
    step_size = clip(step_size * s, step_sizes[0], step_sizes[1])
    g = 0 where s == etaminus
    w -= sign(g) * step_size;  prev = g

Same algorithm as ``torch.optim.Rprop``; MindSpore adds ``weight_decay`` (L2
on the gradient) and defaults lr to 0.1 (torch 0.01). A LR list or schedule
only matters at the first step, since later steps adapt ``step_size``.
"""
import torch

from msbridge.mindspore.nn.optim._checks import check_float_open_range, check_value_type
from msbridge.mindspore.nn.optim._float32 import f32
from msbridge.mindspore.nn.optim.optimizer import Optimizer


class Rprop(Optimizer):
    """Resilient backpropagation, MindSpore 2.10 semantics."""

    def __init__(self, params, learning_rate=0.1, etas=(0.5, 1.2), step_sizes=(1e-6, 50.), weight_decay=0.):
        super().__init__(learning_rate, params, weight_decay)
        if not isinstance(etas, tuple):
            raise TypeError("For Rprop, etas must be a tuple, but got {}.".format(type(etas)))
        if len(etas) != 2:
            raise ValueError("For Rprop, etas must be a tuple with the size of 2, but got {}.".format(len(etas)))
        if not isinstance(step_sizes, tuple):
            raise TypeError("For Rprop, step_sizes must be a tuple, but got {}.".format(type(etas)))
        if len(step_sizes) != 2:
            raise ValueError("For Rprop, step_sizes must be a tuple with the size of 2, "
                             "but got {}.".format(len(step_sizes)))
        if step_sizes[0] > step_sizes[1]:
            raise ValueError("For Rprop, maximal step size should not be less than minimal step size, "
                             "but got {} > {}.".format(step_sizes[0], step_sizes[1]))
        check_float_open_range(etas[0], 0.0, 1.0, "etaminus", self.cls_name)
        check_value_type("etaplus", etas[1], [float], self.cls_name)
        if etas[1] <= 1.0:
            raise ValueError("For Rprop, etaplus must be greater than 1.0, but got etaplus {}.".format(etas[1]))
        check_value_type("min_step_sizes", step_sizes[0], [float], self.cls_name)
        check_value_type("max_step_sizes", step_sizes[1], [float], self.cls_name)
        self.etaminus, self.etaplus = etas
        self.step_size_min, self.step_size_max = step_sizes
        self.prev = self._zeros_like(self.parameters)
        self.step_size = self._zeros_like(self.parameters)

    def _apply(self, gradients, lrs):
        first = self._step() == 1
        etaplus, etaminus = f32(self.etaplus), f32(self.etaminus)
        for w, g, lr, prev, step_size in zip(self.parameters, gradients, lrs, self.prev, self.step_size):
            size = torch.ones_like(step_size) * lr if first else step_size
            sign = torch.sign(g * prev)
            sign = torch.where(sign > 0, etaplus, sign)
            sign = torch.where(sign < 0, etaminus, sign)
            sign = torch.where(sign == 0, f32(1.0), sign)
            size = torch.clamp(size * sign, self.step_size_min, self.step_size_max)
            g = torch.where(sign == etaminus, f32(0.0), g)
            w.sub_(torch.sign(g) * size)
            prev.copy_(g)
            step_size.copy_(size)
