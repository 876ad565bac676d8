"""Draw LR curves and their differences into a PNG a person can read.

Top panel: the LR per training step of the source API and each counterpart.
Bottom panel: counterpart minus source, per step, so "identical" and
"one rounding off" are visible even where the curves overlap exactly. The
legend says, per counterpart, how many steps are bit-identical (``compare``).
"""
from __future__ import annotations

import os
import textwrap

import matplotlib

matplotlib.use("Agg")  # files only: no display needed, works on CI machines

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

from msbridge.plot.compare import Curve, compare, difference  # noqa: E402

_STYLES = (
    {"color": "tab:orange", "linestyle": "--", "linewidth": 1.8},
    {"color": "tab:green", "linestyle": ":", "linewidth": 2.2},
    {"color": "tab:red", "linestyle": "-.", "linewidth": 1.6},
)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, subsequent_indent="    ", break_on_hyphens=False))


def image_format(path: str) -> str | None:
    """The format matplotlib writes for ``path`` (PNG without a suffix), or None when it has none."""
    from matplotlib.backend_bases import FigureCanvasBase

    suffix = os.path.splitext(path)[1][1:].lower() or "png"
    return suffix if suffix in FigureCanvasBase.get_supported_filetypes() else None


def render(
    path: str, title: str, source: Curve, others: list[Curve], xlabel: str = "training step", log: bool = False
) -> None:
    """Write the two-panel figure to ``path`` (format from the suffix; PNG by default).

    ``log``: logarithmic LR axis (decays over decades); the caller checks the values are positive.
    """
    if others:
        fig, (top, bottom) = plt.subplots(
            2, 1, sharex=True, figsize=(10, 8.5), gridspec_kw={"height_ratios": [3, 1.4]}, layout="constrained"
        )
    else:
        fig, top = plt.subplots(figsize=(10, 6), layout="constrained")
    steps = range(len(source.values))
    # an LR holds for a whole step: draw steps, not slopes between them
    top.plot(steps, source.values, color="tab:blue", linewidth=2.6, label=_wrap(source.label, 90), drawstyle="steps-post")
    for style, other in zip(_STYLES, others):
        label = _wrap(other.label, 90) + "\n    " + compare(source, other).summary
        top.plot(range(len(other.values)), other.values, label=label, drawstyle="steps-post", **style)
    fig.suptitle(_wrap(title, 100).replace("\n    ", "\n"), fontsize=11)
    top.set_ylabel("learning rate" + (" (log scale)" if log else ""))
    if log:
        top.set_yscale("log")
    top.grid(True, alpha=0.3)
    # below the panels, never over a curve
    fig.legend(loc="outside lower center", fontsize=8.5, frameon=False)
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
