"""Check a table row's claim by running both real frameworks side by side.

For one example of a row: call the source API on its real framework in four ways
(positionally, by keyword, with shuffled keywords, with defaults omitted; styles that bind
to the same arguments of the real signature run once), translate each call with the row,
run the counterpart on the other real framework, and compare
what they compute with the tolerance the row's exactness class promises:

* LR rows: the learning rate used at each optimizer step;
* optimizer rows: the parameters after a fixed sequence of gradient steps.

Used by the table-driven tests and by ``msbridge tables verify``.
"""
from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field

from msbridge.bridge.real_api import real_params, resolve
from msbridge.bridge.replay import mindspore_schedule_lrs, torch_scheduler_lrs
from msbridge.tables.records import CARRIER_PARAMS, ApiRef, ApiRow, Example, Param
from msbridge.tables.translate import translate, same_value

__all__ = ["CallStyle", "call_styles", "Outcome", "verify_example", "close", "max_relative_difference"]

DEFAULT_STEPS = 16
OPTIMIZER_STEPS = 5


@dataclass(frozen=True)
class CallStyle:
    """One way of calling an API: ``api(*args, **kwargs)``."""
    name: str
    args: tuple
    kwargs: dict


def call_styles(api: ApiRef, kwargs: dict) -> list[CallStyle]:
    """The four calls the issue asks for, all meaning ``api(**kwargs)`` with defaults applied."""
    params = [p for p in api.params if p.name not in CARRIER_PARAMS and not p.var_keyword]
    full = {p.name: kwargs.get(p.name, p.default) for p in params
            if p.name in kwargs or p.default is not Param.REQUIRED}
    positional = tuple(full[p.name] for p in params if not p.keyword_only)
    keyword_only = {p.name: full[p.name] for p in params if p.keyword_only}
    omitted = {name: value for name, value in full.items()
               if api.param(name).required or not same_value(value, api.param(name).default)}
    return [
        CallStyle("positional", positional, keyword_only),
        CallStyle("keyword", (), dict(full)),
        CallStyle("shuffled", (), dict(reversed(list(full.items())))),
        CallStyle("defaults omitted", (), omitted),
    ]


# Below float32's smallest normal number a float32 value has no relative precision left
# (subnormals, then 0): an LR decayed that far is 0 for training, and a relative tolerance
# between it and the float64 value would be meaningless.
FLOAT32_TINY = 2.0 ** -126


def max_relative_difference(a, b, floor: float = 0.0) -> float:
    """Largest |x - y| / max(|x|, |y|) over paired values, skipping pairs with both |x|, |y| <= floor."""
    worst = 0.0
    for x, y in zip(a, b):
        scale = max(abs(x), abs(y))
        if x != y and scale > floor:
            worst = max(worst, math.inf if scale == 0 else abs(x - y) / scale)
    return worst


def close(row: ApiRow, a, b) -> bool:
    """Do two value sequences agree as the row's exactness promises?

    Non-exact rows are compared relatively, down to float32's smallest normal number.
    """
    if len(a) != len(b):
        return False
    if row.exactness == "bit-exact":
        return all(x == y for x, y in zip(a, b))
    return max_relative_difference(a, b, FLOAT32_TINY) <= row.rtol


@dataclass(frozen=True)
class Outcome:
    """Result of one example: the source values of each call style, the counterpart's values."""
    row: ApiRow
    example: Example
    source_values: dict
    target_values: dict
    translations: dict
    same_call_as: dict = field(default_factory=dict)   # style -> earlier style it binds identically to (one run)

    @property
    def styles_agree(self) -> bool:
        """Every call style gives bit-identical values on the source framework."""
        first = next(iter(self.source_values.values()))
        return all(v == first for v in self.source_values.values())

    @property
    def max_difference(self) -> float:
        return max(max_relative_difference(self.source_values[s], self.target_values[s]) for s in self.source_values)

    @property
    def agrees(self) -> bool:
        return all(close(self.row, self.source_values[s], self.target_values[s]) for s in self.source_values)


def is_optimizer_row(row: ApiRow) -> bool:
    return row.mindspore.param("params") is not None


_CARRIER = object()   # stands for the optimizer / parameters the runners pass first


def real_arguments(api: ApiRef, style: CallStyle) -> dict | None:
    """What ``style`` binds to on the REAL API's own signature (defaults applied), as the runners call it.

    None when that cannot be told in Python (no signature, ``*args``/``**kwargs``, a call that does
    not bind): then the call style must really run.
    """
    try:   # through decorators such as MindSpore optimizers' ``opt_init_args_register`` (it passes the call on)
        signature = inspect.Signature(real_params(resolve(api.name)))
    except (TypeError, ValueError, ImportError, AttributeError):
        return None
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in signature.parameters.values()):
        return None
    args, kwargs = style.args, dict(style.kwargs)
    carriers = [p.name for p in api.params if p.name in CARRIER_PARAMS]
    if carriers and api.params[0].name in CARRIER_PARAMS:
        args = (_CARRIER, *args)
    elif carriers:
        kwargs[carriers[0]] = _CARRIER
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    return dict(bound.arguments)


def _same_arguments(a: dict | None, b: dict | None) -> bool:
    return a is not None and b is not None and a.keys() == b.keys() and all(
        a[k] is b[k] or same_value(a[k], b[k]) for k in a)


def verify_example(row: ApiRow, example: Example) -> Outcome:
    """Run ``example`` through both real frameworks in every call style.

    The source framework runs once per distinct call: a call style that binds to exactly the
    arguments of an earlier one on the real API's own signature (``inspect.signature``, defaults
    applied) IS the same call of the same function, so it reuses that run's values (the real
    framework still computes every value compared, in this run). A style whose binding cannot be
    told in Python runs for real. The counterpart runs once per distinct translation.
    """
    source_api = row.side(example.source)
    direction = "to_torch" if example.source == "mindspore" else "to_mindspore"
    context = example.context_dict
    runner = _run_optimizer if is_optimizer_row(row) else _run_lr
    source_values, target_values, translations = {}, {}, {}
    target_cache = {}  # equal translations run the counterpart once (lambdas never compare equal)
    ran: list[tuple[dict | None, dict, list, str]] = []   # (real arguments, context, values, style) per source run
    same_call_as = {}
    for style in call_styles(source_api, example.kwargs):
        arguments = real_arguments(source_api, style)
        same = next((r for r in ran if _same_arguments(r[0], arguments)), None)
        if example.source == "torch":
            context = same[1] if same else recorded_context(row, style.args, style.kwargs, example.context_dict)
        translation = translate(row, direction, style.args, style.kwargs, context)
        translations[style.name] = translation
        if same is not None:
            source_values[style.name] = same[2]
            same_call_as[style.name] = same[3]
        else:
            source_values[style.name] = runner(row, example.source, style.args, style.kwargs, context, translation)
            ran.append((arguments, context, source_values[style.name], style.name))
        target_side = "torch" if example.source == "mindspore" else "mindspore"
        key = repr((translation.kwargs, translation.optimizer_lr, sorted(context.items())))
        if key not in target_cache:
            target_cache[key] = runner(row, target_side, (), translation.kwargs, context, translation,
                                       length=len(source_values[style.name]))
        target_values[style.name] = target_cache[key]
    return Outcome(row, example, source_values, target_values, translations, same_call_as)


# ---- LR rows --------------------------------------------------------------------------------

def _lr_length(context):
    return context.get("total_steps", DEFAULT_STEPS)


def plateau_metric(epoch: int) -> float:
    """A deterministic metric with plateaus, fed to ReduceLROnPlateau on both sides."""
    return 1.0 / (1 + epoch // 3)


def _optimizer(framework: str, lr: float):
    """A one-parameter optimizer of the framework the scheduler expects, and a reader of its lr."""
    if framework == "torch":
        import torch

        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
        return optimizer, lambda: float(optimizer.param_groups[0]["lr"])
    import mindspore
    from mindspore.experimental import optim

    optimizer = optim.SGD([mindspore.Parameter(mindspore.Tensor([0.0], mindspore.float32), name="w")], lr=lr)
    return optimizer, lambda: float(optimizer.param_groups[0]["lr"].asnumpy())


def build_scheduler(api: ApiRef, optimizer, args: tuple, kwargs: dict):
    """Construct a scheduler class on ``optimizer``; ``schedulers`` specs ({api, args}) are built
    first with the same module, on the same optimizer."""
    cls = resolve(api.name)
    module = api.name.rsplit(".", 1)[0]

    def children(specs):
        return [resolve(f"{module}.{spec['api']}")(optimizer, **spec["args"]) for spec in specs]

    names = [p.name for p in api.params if p.name not in CARRIER_PARAMS]
    args = tuple(children(a) if names[i] == "schedulers" else a for i, a in enumerate(args))
    kwargs = {k: children(v) if k == "schedulers" else v for k, v in kwargs.items()}
    if api.params[0].name == "optimizer":
        return cls(optimizer, *args, **kwargs)
    return cls(*args, optimizer=optimizer, **kwargs)


def _run_lr(row, side, args, kwargs, context, translation, length=None):
    api = row.side(side)
    length = length or _lr_length(context)
    if api.name.startswith("mindspore.nn."):
        value = resolve(api.name)(*args, **kwargs)
        if isinstance(value, list):
            return [float(v) for v in value]
        return mindspore_schedule_lrs(value, length)
    framework = "torch" if side == "torch" else "mindspore"
    from_row = side == "torch" and translation.optimizer_lr is not None
    optimizer, read_lr = _optimizer(framework, translation.optimizer_lr if from_row else context["initial_lr"])
    scheduler = build_scheduler(api, optimizer, args, kwargs)
    period = context.get("steps_per_epoch", 1) if row.torch_step == "epoch" else 1
    plateau = type(scheduler).__name__ == "ReduceLROnPlateau"
    values = []
    for step in range(length):
        values.append(read_lr())
        if (step + 1) % period == 0:
            if framework == "torch":
                optimizer.step()
            if plateau:
                scheduler.step(plateau_metric(step // period))
            else:
                scheduler.step()
    return values


def recorded_context(row: ApiRow, args: tuple, kwargs: dict, context: dict) -> dict:
    """For rows that read ``per_step_lrs``: run the torch scheduler and record its per-step lrs."""
    if "per_step_lrs" not in row.context:
        return context
    optimizer, _ = _optimizer("torch", context["initial_lr"])
    scheduler = build_scheduler(row.torch, optimizer, args, kwargs)
    steps_per_epoch = context.get("steps_per_epoch", 1) if row.torch_step == "epoch" else 1
    lrs = torch_scheduler_lrs(scheduler, context["total_steps"], steps_per_epoch)
    return {**context, "per_step_lrs": lrs}


# ---- optimizer rows -------------------------------------------------------------------------

def _problem():
    import numpy as np

    rng = np.random.default_rng(20261125)
    initial = rng.standard_normal((4, 3)).astype(np.float32)
    grads = [rng.standard_normal((4, 3)).astype(np.float32) for _ in range(OPTIMIZER_STEPS)]
    return initial, grads


def _run_optimizer(row, side, args, kwargs, context, translation, length=None):
    initial, grads = _problem()
    cls = resolve(row.side(side).name)
    if side == "mindspore":
        import mindspore

        param = mindspore.Parameter(mindspore.Tensor(initial.copy()), name="w")
        optimizer = cls([param], *args, **kwargs)
        for grad in grads:
            optimizer((mindspore.Tensor(grad),))
        return [float(v) for v in param.asnumpy().ravel()]
    import torch

    param = torch.nn.Parameter(torch.tensor(initial.copy()))
    optimizer = cls([param], *args, **kwargs)
    sparse = row.torch.name == "torch.optim.SparseAdam"
    for grad in grads:
        grad = torch.tensor(grad)
        param.grad = grad.to_sparse() if sparse else grad
        optimizer.step()
    return [float(v) for v in param.detach().numpy().ravel()]
