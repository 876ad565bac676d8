"""Run one LR API for a number of steps and return the LR each training step uses.

The runners execute the REAL framework: the plot shows what MindSpore/torch
compute, never a re-derivation. Only where a framework is not installed does
its msbridge stand-in run instead (``msbridge.mindspore.nn`` on torch,
``msbridge.torch.optim.lr_scheduler`` on MindSpore), and the curve's label
says so. A framework rejecting the arguments becomes a ``UserError`` quoting
the framework's own message, so the person sees exactly what it says.
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.util
import warnings
from dataclasses import dataclass

from msbridge.errors import UserError
from msbridge.plot.apis import APIS, LR_FUNCTION, MINDSPORE, SCHEDULER, Api
from msbridge.plot.apis import TORCH as TORCH_FRAMEWORK
from msbridge.plot.expression import ApiCall

MAX_STEPS = 200_000  # a plot is for looking at; beyond this the per-step MindSpore kernels take minutes


@dataclass(frozen=True)
class TorchShaped:
    """Where a torch-shaped scheduler family lives and how to make a one-parameter optimizer for it."""

    label: str  # e.g. "torch", "mindspore.experimental"
    scheduler_module: str
    make_optimizer: object  # callable(lr) -> optimizer
    read_lr: object  # callable(optimizer) -> float LR the next step uses


def _torch_optimizer(lr):
    import torch

    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def _mindspore_experimental_optimizer(lr):
    import mindspore
    import numpy as np
    from mindspore.experimental.optim import SGD

    weight = mindspore.Parameter(mindspore.Tensor(np.zeros(1, np.float32)), name="w")
    return SGD([weight], lr=lr)


def _read_group_lr(optimizer) -> float:
    lr = optimizer.param_groups[0]["lr"]
    return float(lr.asnumpy()) if hasattr(lr, "asnumpy") else float(lr)


def _msbridge_torch_optimizer(lr):
    import mindspore
    import numpy as np

    from msbridge.torch.optim import SGD

    weight = mindspore.Parameter(mindspore.Tensor(np.zeros(1, np.float32)), name="w")
    return SGD([weight], lr=lr)


TORCH = TorchShaped("torch", "torch.optim.lr_scheduler", _torch_optimizer, _read_group_lr)
MINDSPORE_EXPERIMENTAL = TorchShaped(
    "mindspore.experimental",
    "mindspore.experimental.optim.lr_scheduler",
    _mindspore_experimental_optimizer,
    _read_group_lr,
)
# torch's schedulers re-implemented by msbridge on a MindSpore optimizer (torch-shaped msbridge.torch.optim.SGD)
MSBRIDGE_TORCH = TorchShaped("msbridge.torch", "msbridge.torch.optim.lr_scheduler", _msbridge_torch_optimizer, _read_group_lr)
MINDSPORE_NN = "mindspore.nn"
MSBRIDGE_NN = "msbridge.mindspore.nn"  # MindSpore's LR functions and cells re-implemented on torch


def installed(framework: str) -> bool:
    """Whether ``framework`` ("torch" / "mindspore") can be imported here."""
    try:
        return importlib.util.find_spec(framework) is not None
    except (ImportError, ValueError):
        return False


def torch_family() -> TorchShaped:
    """Real torch, or msbridge's torch-shaped schedulers on MindSpore where torch is not installed."""
    return TORCH if installed("torch") else MSBRIDGE_TORCH


def mindspore_nn() -> str:
    """Real ``mindspore.nn``, or msbridge's re-implementation on torch where MindSpore is not installed."""
    return MINDSPORE_NN if installed("mindspore") else MSBRIDGE_NN


@contextlib.contextmanager
def _framework_errors(who: str):
    """Turn the framework's rejection of the arguments into a one-line UserError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    except UserError:
        raise
    except (TypeError, ValueError, AttributeError, IndexError, KeyError, ZeroDivisionError, OverflowError) as exc:
        message = " ".join(str(exc).split())
        raise UserError(f"{who} rejected the arguments: {type(exc).__name__}: {message}") from None


def check_steps(steps: int) -> int:
    if steps < 1 or steps > MAX_STEPS:
        raise UserError(f"the number of steps must be between 1 and {MAX_STEPS}, got {steps}")
    return steps


def _check_list_length(function, call: ApiCall) -> None:
    """Refuse a list longer than MAX_STEPS before the framework builds it (``warmup_lr(0.1, 10**9, 1, 1)``
    would take gigabytes first): its length is ``total_step``, or the last ``milestone``."""
    import inspect

    try:
        bound = inspect.signature(function).bind(*call.args, **call.kwargs).arguments
    except (TypeError, ValueError):
        return   # the framework's own call reports the bad arguments
    total = bound.get("total_step")
    milestones = bound.get("milestone")
    if isinstance(milestones, (list, tuple)) and milestones and isinstance(milestones[-1], int):
        total = milestones[-1]
    if isinstance(total, int) and not isinstance(total, bool) and total > MAX_STEPS:
        raise UserError(f"{call.api.short}: {total:,} steps is more than a plot draws (at most {MAX_STEPS:,})")


def mindspore_lr_function(call: ApiCall, module: str = MINDSPORE_NN) -> list[float]:
    """``nn.exponential_decay_lr(...)`` etc.: the list the function returns (one LR per step)."""
    function = getattr(importlib.import_module(module), call.api.name)
    _check_list_length(function, call)
    with _framework_errors(f"{module}.{call.api.name}"):
        values = function(*call.args, **call.kwargs)
    check_steps(len(values))
    return [float(v) for v in values]


def mindspore_lr_schedule(call: ApiCall, steps: int, module: str = MINDSPORE_NN) -> list[float]:
    """``nn.ExponentialDecayLR(...)``: the float32 LR the cell returns at each global step.

    One step at a time, like training does: MindSpore's vector path (a 1-D
    step tensor) is not always bit-identical to its scalar path.
    """
    cls = getattr(importlib.import_module(module), call.api.name)
    with _framework_errors(f"{module}.{call.api.name}"):
        cell = cls(*call.args, **call.kwargs)
        if module != MINDSPORE_NN:  # msbridge's cells take a Python int and return a torch tensor
            return [float(cell(step)) for step in range(check_steps(steps))]
        import mindspore

        return [float(cell(mindspore.Tensor(step, mindspore.int32)).asnumpy()) for step in range(check_steps(steps))]


def build_scheduler(family: TorchShaped, call: ApiCall, optimizer):
    """Construct ``call`` (and any nested scheduler calls) from ``family`` on ``optimizer``."""
    module = importlib.import_module(family.scheduler_module)
    if not hasattr(module, call.api.name):
        raise UserError(f"{family.scheduler_module} has no {call.api.name}")
    cls = getattr(module, call.api.name)

    def build(value):
        if isinstance(value, ApiCall):
            return build_scheduler(family, value, optimizer)
        if isinstance(value, (list, tuple)):
            return type(value)(build(v) for v in value)
        return value

    args = [build(a) for a in call.args]
    kwargs = {k: build(v) for k, v in call.kwargs.items()}
    with _framework_errors(f"{family.scheduler_module}.{call.api.name}"):
        if call.api.name == "ChainedScheduler":  # (schedulers, optimizer=None): no optimizer first
            return cls(*args, **kwargs)
        return cls(optimizer, *args, **kwargs)


def torch_shaped_scheduler(
    family: TorchShaped, call: ApiCall, lr: float, steps: int | None, step_every: int
) -> list[float]:
    """The LR used by each of ``steps`` batches, calling ``scheduler.step()`` every ``step_every`` batches.

    ``steps=None`` takes the scheduler's own length (OneCycleLR's ``total_steps``).
    """
    with _framework_errors(f"{family.label} optimizer"):
        optimizer = family.make_optimizer(lr)
    scheduler = build_scheduler(family, call, optimizer)
    if steps is None:
        steps = getattr(scheduler, "total_steps", None)
        if steps is None:
            raise UserError(f"{call.api.short}: say how long to plot with --epochs N (or --steps N)")
    values = []
    with _framework_errors(f"{family.scheduler_module}.{call.api.name}"):
        for step in range(check_steps(steps)):
            values.append(family.read_lr(optimizer))
            if (step + 1) % step_every == 0 and step + 1 < steps:
                if family is TORCH:
                    optimizer.step()  # keeps torch's "scheduler before optimizer" warning away (no grads: no-op)
                scheduler.step()
    return values


def run_translation(api: str, kwargs: dict, lr: float | None, steps: int, step_every: int) -> list[float]:
    """Run a mapping-table translation ``api(**kwargs)`` for ``steps`` training steps in its framework.

    ``lr``: the optimizer's lr for torch-shaped schedulers; ``step_every``: batches
    between their ``scheduler.step()`` calls. MindSpore ``nn`` lists are used as
    returned; ``nn`` schedule cells are evaluated at each global step.
    """
    module, _, name = api.rpartition(".")
    if module == TORCH.scheduler_module:
        return torch_shaped_scheduler(torch_family(), _scheduler_call(name, kwargs, api), lr, steps, step_every)
    if module == MINDSPORE_EXPERIMENTAL.scheduler_module:
        if not installed("mindspore"):
            raise UserError(f"{api} needs MindSpore, which is not installed")
        return torch_shaped_scheduler(MINDSPORE_EXPERIMENTAL, _scheduler_call(name, kwargs, api), lr, steps, step_every)
    known = APIS.get(name)
    if module != MINDSPORE_NN or known is None or known.framework != MINDSPORE:
        raise UserError(f"the plot cannot run {api}")
    call = ApiCall(known, (), dict(kwargs), api)
    if known.kind == LR_FUNCTION:
        return mindspore_lr_function(call, mindspore_nn())
    return mindspore_lr_schedule(call, steps, mindspore_nn())


def _scheduler_call(name: str, kwargs: dict, text: str) -> ApiCall:
    return ApiCall(Api(TORCH_FRAMEWORK, name, SCHEDULER), (), dict(kwargs), text)
