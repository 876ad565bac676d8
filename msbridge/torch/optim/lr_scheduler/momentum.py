"""Momentum cycling shared by ``CyclicLR`` and ``OneCycleLR``.

torch writes ``group['momentum']`` (SGD-like) or ``group['betas'][0]``
(Adam-like); the optimizer view forwards either to where the MindSpore
optimizer keeps it (nn.Momentum's ``momentum`` Parameter, nn.Adam's
``beta1``, an experimental group's 'momentum' / 'betas').
"""
from __future__ import annotations

from msbridge.torch.optim.lr_scheduler.adapter import optimizer_view
from msbridge.torch.optim.lr_scheduler.base import format_param, groups_of


def uses_beta1(optimizer) -> bool:
    """True for Adam-like optimizers; ValueError (torch's) when there is no momentum to cycle."""
    defaults = getattr(optimizer_view(optimizer), "defaults", {})
    if "momentum" not in defaults and "betas" not in defaults:
        raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
    return "betas" in defaults


def set_momentum(group, momentum: float, use_beta1: bool) -> None:
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


def init_momentum_cycle(optimizer, base_momentum, max_momentum, last_epoch: int) -> tuple[bool, list, list]:
    """Validate, and on a fresh start write max_momentum into every group (torch's constructor code)."""
    use_beta1 = uses_beta1(optimizer)
    base_momentums = format_param("base_momentum", optimizer, base_momentum)
    max_momentums = format_param("max_momentum", optimizer, max_momentum)
    if last_epoch == -1:
        for m_momentum, b_momentum, group in zip(max_momentums, base_momentums, groups_of(optimizer), strict=True):
            set_momentum(group, m_momentum, use_beta1)
            group["max_momentum"] = m_momentum
            group["base_momentum"] = b_momentum
    return use_beta1, base_momentums, max_momentums
