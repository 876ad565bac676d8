"""``mindspore.nn.AdamWeightDecay`` on torch parameters.

Update (MindSpore's fused ``AdamWeightDecay`` CPU kernel; moments
bit-identical, weights within ~1 ulp)::

    m = fma(g - m, 1 - beta1, m)
    v = fma(fma(g, g, -v), 1 - beta2, v)
    w = fma(-lr, m / (sqrt(v) + eps) + wd * w, w)

Not ``torch.optim.AdamW``: there is **no bias correction** (early steps are
~``1/(1-beta1)`` times smaller than AdamW's... and the ratio fades), decay is
``lr * wd * w`` as in AdamW, defaults differ (eps 1e-6 vs 1e-8, weight_decay
0.0 vs 0.01), no ``amsgrad``, no ``loss_scale``, and it ignores
``grad_centralization`` (its ``construct`` never calls it). Without groups
'beta'/'gamma' names are not decayed.
"""
import numpy as np
import torch

from msbridge.mindspore.nn.optim import _fused
from msbridge.mindspore.nn.optim._float32 import f32, fma, sqrt
from msbridge.mindspore.nn.optim.adam import adam_moments, check_adam_values
from msbridge.mindspore.nn.optim.optimizer import Optimizer


class AdamWeightDecay(Optimizer):
    """Adam with decoupled weight decay and no bias correction, MindSpore 2.10 semantics."""

    def __init__(self, params, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-6, weight_decay=0.0):
        super().__init__(learning_rate, params, weight_decay)
        check_adam_values(beta1, beta2, eps, self.cls_name)
        self.beta1, self.beta2, self.eps = f32(beta1), f32(beta2), f32(eps)
        self.moments1 = self._zeros_like(self.parameters)
        self.moments2 = self._zeros_like(self.parameters)

    def _preprocess_gradients(self, gradients):
        # No L2/centralization/loss-scale here; only read the decay at the step before it advances.
        self._decays = self.get_weight_decay()
        return gradients

    _state_names = ("moments1", "moments2")

    def _native_config(self):  # the eager first moment takes another branch from 1 - beta1 >= 0.5 (``lerp_moment_``)
        return (float(self.beta1) <= 0.5,)

    def _apply(self, gradients, lrs):
        decays = self._decays
        lib = self._native(gradients, lrs)
        if lib is not None:  # the fast path's roundings, one pass per parameter
            one = np.float32(1.0)
            c1, c2, eps = float(one - _fused.f32(self.beta1)), float(one - _fused.f32(self.beta2)), float(self.eps)
            for w, g, lr, m, v, wd, flag in zip(self.parameters, gradients, self._floats(lrs), self.moments1,
                                                self.moments2, decays, self.decay_flags):
                lib.adam_weight_decay(w.numel(), w.data_ptr(), g.data_ptr(), m.data_ptr(), v.data_ptr(), c1, c2, eps,
                                      lr, wd.item(), int(bool(flag)))
            self._written()
            return
        scratch = self._scratch(gradients)
        if scratch is not None:
            self._fast(gradients, lrs, decays, scratch)
            return
        for w, g, lr, m, v, wd, flag in zip(self.parameters, gradients, lrs, self.moments1, self.moments2,
                                            decays, self.decay_flags):
            adam_moments(m, v, g, self.beta1, self.beta2)
            update = m / (sqrt(v) + self.eps)
            if flag:
                update = update + wd * w
            w.copy_(fma(-lr, update, w))

    def _fast(self, gradients, lrs, decays, scratch):
        """The same roundings in float32 passes over two reused scratch tensors per parameter."""
        one = np.float32(1.0)
        c1, c2, eps = one - _fused.f32(self.beta1), one - _fused.f32(self.beta2), float(self.eps)
        for w, g, lr, m, v, wd, flag, (denom, update) in zip(self.parameters, gradients, self._floats(lrs),
                                                             self.moments1, self.moments2, decays, self.decay_flags,
                                                             scratch):
            _fused.lerp_moment_(m, g, c1, denom)
            _fused.square_moment_(v, g, c2, denom)
            _fused.sqrt_into(denom, v).add_(eps)
            torch.div(m, denom, out=update)
            if flag:  # update + round(wd * w)
                update.add_(torch.mul(w, wd.item(), out=denom))
            w.add_(update, alpha=-lr)  # fma(-lr, update, w)
