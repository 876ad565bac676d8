"""The learning-rate APIs ``msbridge plot`` knows, and how users spell them.

A whitelist, not a lookup in live modules: an expression can only ever name
one of these, so nothing a user types is resolved to an arbitrary attribute.
"""
from __future__ import annotations

import difflib
import textwrap
from dataclasses import dataclass

from msbridge.errors import UserError

MINDSPORE = "mindspore"
TORCH = "torch"
EXPERIMENTAL = "mindspore.experimental"  # MindSpore's own torch-shaped schedulers
_MODULES = {
    MINDSPORE: "mindspore.nn",
    TORCH: "torch.optim.lr_scheduler",
    EXPERIMENTAL: "mindspore.experimental.optim.lr_scheduler",
}
_SHORT = {MINDSPORE: "nn.", TORCH: "lr_scheduler.", EXPERIMENTAL: "experimental.lr_scheduler."}

# kinds
LR_FUNCTION = "lr_function"  # mindspore.nn.*_lr(...) -> list[float], one value per step
LR_SCHEDULE = "lr_schedule"  # mindspore.nn.*LR(...) cell: step -> float32 LR
SCHEDULER = "scheduler"  # torch.optim.lr_scheduler.*(optimizer, ...)
COMPOSITE = "composite"  # torch schedulers made of other schedulers


@dataclass(frozen=True)
class Api:
    framework: str
    name: str
    kind: str

    @property
    def qualified(self) -> str:
        return f"{_MODULES[self.framework]}.{self.name}"

    @property
    def short(self) -> str:
        """How messages spell it."""
        return f"{_SHORT[self.framework]}{self.name}"

    @property
    def torch_shaped(self) -> bool:
        """A scheduler object on an optimizer (torch's, or MindSpore's experimental copy)."""
        return self.framework in (TORCH, EXPERIMENTAL)


# Spelled out rather than imported from msbridge.mindspore.nn so that `msbridge --help` loads no
# framework; tests/cli/test_cli_plot_api_names.py keeps these lists equal to the real modules'.
_MS_FUNCTIONS = (
    "piecewise_constant_lr",
    "exponential_decay_lr",
    "natural_exp_decay_lr",
    "inverse_decay_lr",
    "cosine_decay_lr",
    "polynomial_decay_lr",
    "warmup_lr",
)
_MS_SCHEDULES = (
    "ExponentialDecayLR",
    "NaturalExpDecayLR",
    "InverseDecayLR",
    "CosineDecayLR",
    "PolynomialDecayLR",
    "WarmUpLR",
)
_TORCH_SCHEDULERS = (
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "OneCycleLR",
    "LambdaLR",
    "MultiplicativeLR",
)
_TORCH_COMPOSITES = ("SequentialLR", "ChainedScheduler")
# mindspore.experimental.optim.lr_scheduler 2.10 has torch's schedulers except these
_NOT_IN_EXPERIMENTAL = ("OneCycleLR", "ChainedScheduler")

# torch schedulers an expression cannot describe, and why.
NOT_PLOTTABLE = {
    "ReduceLROnPlateau": "its LR depends on the metric values seen during training, not on the step",
}

APIS: dict[str, Api] = {
    **{n: Api(MINDSPORE, n, LR_FUNCTION) for n in _MS_FUNCTIONS},
    **{n: Api(MINDSPORE, n, LR_SCHEDULE) for n in _MS_SCHEDULES},
    **{n: Api(TORCH, n, SCHEDULER) for n in _TORCH_SCHEDULERS},
    **{n: Api(TORCH, n, COMPOSITE) for n in _TORCH_COMPOSITES},
}

# Module prefixes accepted in front of a name, and the framework they imply.
_PREFIXES = {
    "mindspore.nn": MINDSPORE,
    "mindspore.nn.dynamic_lr": MINDSPORE,
    "mindspore.nn.learning_rate_schedule": MINDSPORE,
    "ms.nn": MINDSPORE,
    "nn": MINDSPORE,
    "msbridge.mindspore.nn": MINDSPORE,
    "torch.optim.lr_scheduler": TORCH,
    "optim.lr_scheduler": TORCH,
    "lr_scheduler": TORCH,
    "msbridge.torch.optim.lr_scheduler": TORCH,
    "mindspore.experimental.optim.lr_scheduler": EXPERIMENTAL,
    "experimental.optim.lr_scheduler": EXPERIMENTAL,
    "experimental.lr_scheduler": EXPERIMENTAL,
}


def resolve(dotted: str) -> Api:
    """``"nn.exponential_decay_lr"`` / ``"torch.optim.lr_scheduler.StepLR"`` / ``"StepLR"`` -> Api."""
    prefix, _, name = dotted.rpartition(".")
    if name in NOT_PLOTTABLE:
        raise UserError(f"cannot plot {dotted}: {NOT_PLOTTABLE[name]}")
    api = APIS.get(name)
    framework = _PREFIXES.get(prefix) if prefix else (api.framework if api else None)
    if framework == EXPERIMENTAL and api is not None and api.framework == TORCH:
        if name in _NOT_IN_EXPERIMENTAL:
            raise UserError(f"mindspore.experimental.optim.lr_scheduler has no {name} (MindSpore 2.10)")
        return Api(EXPERIMENTAL, name, api.kind)
    if api is None or framework != api.framework:
        raise UserError(f"unknown API {dotted!r}{_suggestion(dotted)}; see `msbridge plot --help` for the list")
    return api


def _suggestion(dotted: str) -> str:
    prefix, _, name = dotted.rpartition(".")
    if prefix and prefix not in _PREFIXES:
        close = difflib.get_close_matches(prefix, list(_PREFIXES), n=1)
        if close and name in APIS:
            return f" (did you mean {close[0]}.{name}?)"
    close = difflib.get_close_matches(name, list(APIS), n=1, cutoff=0.6)
    return f" (did you mean {APIS[close[0]].short}?)" if close else ""


def listing() -> str:
    """The plottable APIs, for ``--help``."""
    def block(title, names):
        return textwrap.fill(
            ", ".join(names), width=100, initial_indent="    ", subsequent_indent="    "
        ).join([f"  {title}\n", ""])

    def names(*kinds):
        return [api.name for api in APIS.values() if api.kind in kinds]

    return "\n".join(
        [
            block("MindSpore LR functions (nn.X or mindspore.nn.X):", names(LR_FUNCTION)),
            block("MindSpore LR schedule cells (nn.X; give --steps):", names(LR_SCHEDULE)),
            block("torch schedulers (lr_scheduler.X or torch.optim.lr_scheduler.X):", names(SCHEDULER, COMPOSITE)),
            block(
                "MindSpore's torch-shaped schedulers (mindspore.experimental.optim.lr_scheduler.X):",
                [n for n in names(SCHEDULER, COMPOSITE) if n not in _NOT_IN_EXPERIMENTAL],
            ),
        ]
    )
