"""Curves and how a counterpart curve differs from the source, step by step (no plotting here)."""
from __future__ import annotations

from dataclasses import dataclass


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
    import numpy as np   # here, not at import: every `msbridge` command imports this module's package

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
