"""``mindspore.nn.LazyAdam`` on torch parameters.

LazyAdam updates only the rows a *sparse* gradient touches. torch
parameters here get dense gradients, for which MindSpore runs its ordinary
``Adam`` kernel, so the update is ``msbridge.mindspore.nn.Adam``'s (bias
correction folded into the step size, optional Nesterov). Maps to
``torch.optim.SparseAdam`` only for sparse gradients.
"""
from msbridge.mindspore.nn.optim._checks import check_value_type
from msbridge.mindspore.nn.optim._float32 import f32
from msbridge.mindspore.nn.optim.adam import adam_kernel, check_adam_values, fast_adam_step, native_adam_step
from msbridge.mindspore.nn.optim.optimizer import Optimizer


class LazyAdam(Optimizer):
    """LazyAdam on dense gradients (= MindSpore's Adam kernel), MindSpore 2.10 semantics."""

    def __init__(self, params, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, use_locking=False,
                 use_nesterov=False, weight_decay=0.0, loss_scale=1.0):
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        check_adam_values(beta1, beta2, eps, self.cls_name, weight_decay)
        check_value_type("use_locking", use_locking, [bool], self.cls_name)
        check_value_type("use_nesterov", use_nesterov, [bool], self.cls_name)
        self.beta1, self.beta2, self.eps = f32(beta1), f32(beta2), f32(eps)
        self.beta1_power = f32(1.0)
        self.beta2_power = f32(1.0)
        self.use_nesterov = use_nesterov
        self.moment1 = self._zeros_like(self.parameters)
        self.moment2 = self._zeros_like(self.parameters)

    _state_names = ("moment1", "moment2")

    def _native_config(self):  # the eager first moment takes another branch from 1 - beta1 >= 0.5 (``lerp_moment_``)
        return (self.use_nesterov, float(self.beta1) <= 0.5)

    def _apply(self, gradients, lrs):
        self.beta1_power = self.beta1_power * self.beta1
        self.beta2_power = self.beta2_power * self.beta2
        lib = self._native(gradients, lrs)
        if lib is not None:
            native_adam_step(self, lib, gradients, lrs, self.moment1, self.moment2, self.use_nesterov,
                             (None,) * len(self.parameters))
            return
        scratch = self._scratch(gradients)
        if scratch is not None:
            fast_adam_step(self, gradients, lrs, scratch, self.moment1, self.moment2, self.use_nesterov,
                           (None,) * len(self.parameters))
            return
        for w, g, lr, m, v in zip(self.parameters, gradients, lrs, self.moment1, self.moment2):
            adam_kernel(w, m, v, g, lr, self.beta1, self.beta2, self.eps,
                        self.beta1_power, self.beta2_power, self.use_nesterov)
