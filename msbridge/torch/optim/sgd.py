"""``torch.optim.SGD`` (2.13) on MindSpore Parameters.

torch's single-tensor rule, float32::

    g = g + wd * p                       (add with alpha: one fused multiply-add)
    buf = g (first step) | buf * momentum + (1 - dampening) * g
    g = g + momentum * buf (nesterov) | buf
    p = p - lr * g

``mindspore.experimental.optim.SGD`` runs MindSpore's ``SGD`` kernel, the
same rule, but keeps ``lr`` as a float32 Parameter in ``param_groups`` (so
torch schedulers would compound float32 rounding), always allocates momentum
buffers and has no ``state_dict``. Without momentum there is no
per-parameter state here, as in torch.
"""
import numpy as np

from msbridge.torch.optim._float32 import add_scaled
from msbridge.torch.optim.optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent with torch 2.13's signature and numerics."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update_group(self, group, params, arrays, grads):
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        weight_decay = group["weight_decay"]
        for param, (p, _), grad in zip(params, arrays, grads):
            d_p, spare = self._scratch.like(p, 2)  # grad itself is MindSpore's memory: never written
            if group["maximize"]:
                grad = np.negative(grad, out=d_p)
            if weight_decay != 0:
                grad = add_scaled(grad, p, weight_decay, d_p)
            if momentum != 0:  # torch keeps no state at all without momentum
                state = self._state_of(param)
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = grad.copy()
                else:
                    add_scaled(np.multiply(buf, np.float32(momentum), out=buf), grad, 1 - dampening, buf)
                grad = add_scaled(grad, buf, momentum, spare) if group["nesterov"] else buf
            add_scaled(p, grad, -lr, p)
