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
per-parameter state here, as in torch. Each parameter's update is one pass of
a C kernel where one builds and checks exact, else numpy passes
(``_sgd_update.py``): the same bits.
"""
from msbridge.torch.optim._sgd_update import constants, update
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
        k = constants(group["lr"], group["momentum"], group["dampening"], group["weight_decay"], group["nesterov"],
                      group["maximize"])
        for param, (p, _), grad in zip(params, arrays, grads):  # grad itself is MindSpore's memory: never written
            if not k["has_momentum"]:  # torch keeps no state at all without momentum
                update(p, grad, None, k, self._scratch.like)
                continue
            state = self._state_of(param)
            state["momentum_buffer"] = update(p, grad, state.get("momentum_buffer"), k, self._scratch.like)
