"""``torch.optim.Adam`` (2.13) on MindSpore Parameters.

torch's single-tensor rule: ``step`` per parameter; bias corrections and
``step_size = lr / (1 - beta1**step)`` in Python float64; then float32::

    g = g + wd * p                          (Adam) | p = p * (1 - lr * wd)   (AdamW)
    m = lerp(m, g, 1 - beta1);  v = v * beta2 + (1 - beta2) * g * g
    denom = sqrt(v) / sqrt(1 - beta2**step) + eps      (amsgrad: max of all v)
    p = p + (-step_size * m) / denom

Why not ``mindspore.experimental.optim``: its ``Adam`` runs MindSpore's
``Adam`` kernel, which adds eps to ``sqrt(v)`` *after* folding the bias
corrections into the step size (with ``eps=1e-3`` the weights drift ~0.1 from
torch's in 50 steps; tests/torch/test_ptoptim_vs_experimental.py), with
float32 beta powers from one step counter shared by all parameters; its
``AdamW`` computes the bias corrections in float32 and ``m`` as
``beta1*m + (1-beta1)*g`` instead of ``lerp``; both keep ``lr`` as a float32
Parameter. This class follows torch. Remaining difference: torch's
vectorised float32 ``sqrt`` (tensors of 16+ values on AVX512) is not
correctly rounded (1 ulp off in ~17% of values), numpy's is; parameters
agree to float32 rounding (bit-identical on small tensors).

Each parameter's update is one pass of a small C kernel where the machine has
a C compiler (built at first use and checked bit for bit against the numpy
passes, ``_adam_update.py``), else the numpy passes: the same bits either way.
"""
import numpy as np

from msbridge.torch.optim._adam_update import scalars, update
from msbridge.torch.optim.optimizer import Optimizer


class Adam(Optimizer):
    """Adam with torch 2.13's signature and numerics (``decoupled_weight_decay=True`` is AdamW)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not (isinstance(betas[0], float) and isinstance(betas[1], float)):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _update_group(self, group, params, arrays, grads):
        lr, (beta1, beta2), eps, weight_decay = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        for param, (p, _), grad in zip(params, arrays, grads):
            state = self._state_of(param)
            if not state:
                state["step"] = np.float32(0.0)
                state["exp_avg"] = np.zeros_like(p)
                state["exp_avg_sq"] = np.zeros_like(p)
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = np.zeros_like(p)
            state["step"] = np.float32(state["step"] + 1)
            constants = scalars(lr, beta1, beta2, eps, weight_decay, group["decoupled_weight_decay"],
                                float(state["step"]))
            # grad itself is MindSpore's memory: never written
            update(p, grad, state["exp_avg"], state["exp_avg_sq"], state.get("max_exp_avg_sq") if group["amsgrad"]
                   else None, group["maximize"], constants, self._scratch.like)
