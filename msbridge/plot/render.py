"""Draw LR curves and their differences into a PNG a person can read.

Top panel: the LR per training step of the source API and each counterpart.
Bottom panel: counterpart minus source, per step, so "identical" and
"one rounding off" are visible even where the curves overlap exactly. The
legend says, per counterpart, how many steps are bit-identical.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

import matplotlib
import numpy as np

matplotlib.use("Agg")  # files only: no display needed, works on CI machines

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

_STYLES = (
    {"color": "tab:orange", "linestyle": "--", "linewidth": 1.8},
    {"color": "tab:green", "linestyle": ":", "linewidth": 2.2},
    {"color": "tab:red", "linestyle": "-.", "linewidth": 1.6},
)


@dataclass(frozen=True)
class Curve:
    label: str
    values: tuple
    row: object = None  # the mapping-table row a counterpart curve comes from


@dataclass(frozen=True)
class Comparison:
    """How a counterpart curve differs from the source, step by step."""

    identical: int  # steps where the two LRs are the same float
    compared: int
    max_abs: float
    max_rel: float
    float32_identical: int  # steps where both round to the same float32 (what a MindSpore optimizer stores)

    @property
    def summary(self) -> str:
        if self.identical == self.compared:
            return f"identical at all {self.compared} steps"
        text = (
            f"differs at {self.compared - self.identical}/{self.compared} steps, "
            f"max |diff| {self.max_abs:.3g} (rel. {self.max_rel:.3g})"
        )
        if self.float32_identical == self.compared:
            return text + "; same float32 at every step"
        return text + f"; same float32 at {self.float32_identical}/{self.compared}"


def difference(source: Curve, other: Curve) -> list[float]:
    return [b - a for a, b in zip(source.values, other.values)]


def compare(source: Curve, other: Curve) -> Comparison:
    pairs = list(zip(source.values, other.values))
    diffs = [abs(b - a) for a, b in pairs]
    rels = [abs(b - a) / abs(a) for a, b in pairs if a]
    as_f32 = np.asarray(pairs, dtype=np.float64).reshape(-1, 2).astype(np.float32)
    return Comparison(
        identical=sum(a == b for a, b in pairs),
        compared=len(pairs),
        max_abs=max(diffs, default=0.0),
        max_rel=max(rels, default=0.0),
        float32_identical=int(np.sum(as_f32[:, 0] == as_f32[:, 1])),
    )


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, subsequent_indent="    ", break_on_hyphens=False))


def render(path: str, title: str, source: Curve, others: list[Curve], xlabel: str = "training step") -> None:
    """Write the two-panel figure to ``path`` (format from the suffix; PNG by default)."""
    if others:
        fig, (top, bottom) = plt.subplots(
            2, 1, sharex=True, figsize=(10, 7.5), gridspec_kw={"height_ratios": [3, 1.4]}, layout="constrained"
        )
    else:
        fig, top = plt.subplots(figsize=(10, 5.5), layout="constrained")
    steps = range(len(source.values))
    # an LR holds for a whole step: draw steps, not slopes between them
    top.plot(steps, source.values, color="tab:blue", linewidth=2.6, label=_wrap(source.label, 90), drawstyle="steps-post")
    for style, other in zip(_STYLES, others):
        label = _wrap(other.label, 90) + "\n    " + compare(source, other).summary
        top.plot(range(len(other.values)), other.values, label=label, drawstyle="steps-post", **style)
    top.set_title(_wrap(title, 100).replace("\n    ", "\n"), fontsize=11)
    top.set_ylabel("learning rate")
    top.grid(True, alpha=0.3)
    top.legend(loc="best", fontsize=8, framealpha=0.9)
    (bottom if others else top).set_xlabel(xlabel)
    if others:
        bottom.axhline(0.0, color="tab:blue", linewidth=1.2)
        for style, other in zip(_STYLES, others):
            diff = difference(source, other)
            bottom.plot(range(len(diff)), diff, drawstyle="steps-post", **style)
        bottom.set_ylabel("counterpart − source")
        bottom.grid(True, alpha=0.3)
        bottom.ticklabel_format(axis="y", style="sci", scilimits=(-3, 3))
    fig.savefig(path, dpi=110)
    plt.close(fig)
