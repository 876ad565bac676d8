"""``torch.optim.AdamW`` (2.13) on MindSpore Parameters: ``Adam`` with decoupled weight decay.

Compared with ``mindspore.nn.AdamWeightDecay`` (the usual MindSpore port):
AdamW keeps Adam's bias corrections, decays as ``p *= 1 - lr * wd`` before the
moment update, and defaults to ``eps=1e-8, weight_decay=1e-2``.
"""
from msbridge.torch.optim.adam import Adam


class AdamW(Adam):
    """AdamW with torch 2.13's signature and numerics."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
        self.defaults["decoupled_weight_decay"] = True
