"""The natural counterpart of an LR call in the other framework, for the plot's overlay.

MindSpore -> torch: the built-in torch scheduler a person would write (stepped
once per epoch for the ``*_lr`` list functions, once per step for the
schedule cells), falling back to ``LambdaLR`` with MindSpore's formula where
torch has no built-in. torch -> MindSpore: the ``mindspore.nn`` list function
with the same shape, where one exists. The plot then RUNS both in the real
frameworks and draws the difference; nothing here claims exactness — the
difference panel measures it.
"""
from __future__ import annotations

import bisect
import inspect
import math
from dataclasses import dataclass

from msbridge.plot.apis import APIS, MINDSPORE, SCHEDULER, TORCH, Api
from msbridge.plot.expression import ApiCall


@dataclass(frozen=True)
class TorchPlan:
    """A torch scheduler on an optimizer with ``lr``, stepped every ``step_every`` batches."""

    call: ApiCall
    lr: float
    step_every: int

    @property
    def text(self) -> str:
        every = "step" if self.step_every == 1 else f"{self.step_every} steps"
        return f"torch {self.call.text} on lr={self.lr:g}, stepped every {every}"


def bound_arguments(signature: inspect.Signature, call: ApiCall) -> dict:
    """The call's arguments by name, defaults filled in."""
    bound = signature.bind(*call.args, **call.kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


def _torch_call(name: str, text: str, **kwargs) -> ApiCall:
    api = APIS.get(name) or Api(TORCH, name, SCHEDULER)  # LambdaLR: internal use only
    return ApiCall(api, (), kwargs, text)


def _args_text(**kwargs) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def _builtin(name: str, **kwargs) -> ApiCall:
    return _torch_call(name, f"{name}({_args_text(**kwargs)})", **kwargs)


def _lambda(formula: str, function) -> ApiCall:
    return _torch_call("LambdaLR", f"LambdaLR(lambda e: {formula})", lr_lambda=function)


def mindspore_to_torch(call: ApiCall, a: dict) -> TorchPlan | None:
    """``a``: the MindSpore call's arguments by name (see ``bound_arguments``)."""
    name = call.api.name
    if name == "piecewise_constant_lr":
        return _piecewise_to_torch(list(a["milestone"]), list(a["learning_rates"]))
    per_epoch = "step_per_epoch" in a
    every = a["step_per_epoch"] if per_epoch else 1
    span = a["decay_epoch"] if per_epoch and "decay_epoch" in a else a.get("decay_steps")
    if name in ("exponential_decay_lr", "ExponentialDecayLR"):
        lr, rate, stair = a["learning_rate"], a["decay_rate"], a["is_stair"]
        scheduler = (
            _builtin("StepLR", step_size=span, gamma=rate) if stair else _builtin("ExponentialLR", gamma=rate ** (1 / span))
        )
        return TorchPlan(scheduler, lr, every)
    if name in ("natural_exp_decay_lr", "NaturalExpDecayLR"):
        lr, rate, stair = a["learning_rate"], a["decay_rate"], a["is_stair"]
        if stair:
            return TorchPlan(_builtin("StepLR", step_size=span, gamma=math.exp(-rate * span)), lr, every)
        return TorchPlan(_builtin("ExponentialLR", gamma=math.exp(-rate)), lr, every)  # MindSpore ignores decay_*
    if name in ("inverse_decay_lr", "InverseDecayLR"):
        lr, rate, stair = a["learning_rate"], a["decay_rate"], a["is_stair"]
        if stair:
            text = f"1 / (1 + {rate!r} * (e // {span}))"
            return TorchPlan(_lambda(text, lambda e: 1 / (1 + rate * math.floor(e / span))), lr, every)
        return TorchPlan(_lambda(f"1 / (1 + {rate!r} * e / {span})", lambda e: 1 / (1 + rate * e / span)), lr, every)
    if name in ("cosine_decay_lr", "CosineDecayLR"):
        return TorchPlan(_builtin("CosineAnnealingLR", T_max=span, eta_min=a["min_lr"]), a["max_lr"], every)
    if name in ("polynomial_decay_lr", "PolynomialDecayLR"):
        return _polynomial_to_torch(a, span, every)
    if name in ("warmup_lr", "WarmUpLR"):
        warm = a["warmup_epoch"] if per_epoch else a["warmup_steps"]
        return TorchPlan(_lambda(f"min(e, {warm}) / {warm}", lambda e: min(e, warm) / warm), a["learning_rate"], every)
    return None


def _piecewise_to_torch(milestones: list, rates: list) -> TorchPlan | None:
    if not rates or not rates[0]:
        return None
    base = rates[0]
    ratios = [b / a for a, b in zip(rates, rates[1:]) if a]
    if len(ratios) == len(rates) - 1 and ratios and all(math.isclose(r, ratios[0], rel_tol=1e-12) for r in ratios):
        return TorchPlan(_builtin("MultiStepLR", milestones=milestones[:-1], gamma=ratios[0]), base, 1)
    factors = [r / base for r in rates]
    text = f"{factors!r}[bisect_right({milestones[:-1]!r}, e)]"
    return TorchPlan(
        _lambda(text, lambda e: factors[min(bisect.bisect_right(milestones, e), len(factors) - 1)]), base, 1
    )


def _polynomial_to_torch(a: dict, span: int, every: int) -> TorchPlan:
    lr, end, power = a["learning_rate"], a["end_learning_rate"], a["power"]
    update = a.get("update_decay_epoch", a.get("update_decay_steps", False))
    if end == 0 and not update:
        return TorchPlan(_builtin("PolynomialLR", total_iters=span, power=power), lr, every)

    def factor(e):
        d = span * max(math.ceil(e / span), 1) if update else span
        t = e if update else min(e, span)
        return ((lr - end) * (1 - t / d) ** power + end) / lr

    shape = "sawtooth " if update else ""
    return TorchPlan(_lambda(f"{shape}polynomial {lr!r} -> {end!r}, power {power!r}", factor), lr, every)


# ---- torch -> MindSpore ---------------------------------------------------------------------


def torch_to_mindspore(call: ApiCall, a: dict, lr: float, steps: int, every: int) -> ApiCall | None:
    """The ``mindspore.nn`` list function giving the same per-step LR, or None where MindSpore has no formula.

    ``a``: the torch call's arguments by name; ``steps``: batches plotted;
    ``every``: batches between ``scheduler.step()`` calls (MindSpore's step_per_epoch).
    """
    name = call.api.name
    if name == "StepLR":
        return _ms("exponential_decay_lr", lr, a["gamma"], steps, every, a["step_size"], is_stair=True)
    if name == "ExponentialLR":
        return _ms("exponential_decay_lr", lr, a["gamma"], steps, every, 1)
    if name == "CosineAnnealingLR":
        return _ms("cosine_decay_lr", float(a["eta_min"]), lr, steps, every, a["T_max"])
    if name == "PolynomialLR":
        return _ms("polynomial_decay_lr", lr, 0.0, steps, every, a["total_iters"], float(a["power"]))
    if name == "MultiStepLR":
        bounds, rates, value = [], [], lr
        for milestone in sorted(set(a["milestones"])):
            if milestone * every >= steps:
                break
            bounds.append(milestone * every)
            rates.append(value)
            value = value * a["gamma"] ** list(a["milestones"]).count(milestone)  # torch: chainable
        return _ms("piecewise_constant_lr", bounds + [steps], rates + [value])
    if name == "ConstantLR" and a["total_iters"] * every < steps and a["total_iters"] > 0:
        low = lr * a["factor"]
        return _ms("piecewise_constant_lr", [a["total_iters"] * every, steps], [low, low * (1.0 / a["factor"])])
    return None


def _ms(name: str, *args, **kwargs) -> ApiCall:
    shown = ", ".join([repr(v) for v in args] + [f"{k}={v!r}" for k, v in kwargs.items()])
    return ApiCall(APIS[name], args, kwargs, f"nn.{name}({shown})")


__all__ = ["TorchPlan", "bound_arguments", "mindspore_to_torch", "torch_to_mindspore", "MINDSPORE"]
