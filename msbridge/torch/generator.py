"""``torch.Generator`` (CPU) on MindSpore: torch's Mersenne Twister, so seeded draws are torch's own.

torch's CPU generator is MT19937 seeded like the reference ``init_genrand`` with the low 32 bits
of the seed (``at::mt19937``), which is numpy's legacy ``MT19937`` seeding; its ``random()`` is the
raw 32-bit output. ``torch.randperm(n, generator=g)`` (n < 2**32 / 20) is a Fisher-Yates walk over
``range(n)`` taking ``random() % (n - i)`` for i = 0 .. n-2, so ``randperm`` here returns exactly
torch's permutation and advances the state as torch does (tests/torch/test_generator_twin.py).
That is what ``random_split(..., generator=torch.Generator().manual_seed(s))`` draws. Other
consumers (samplers) draw from a numpy Generator on the same bits: seeded, but not torch's numbers.
"""
from __future__ import annotations

import numpy as np

DEFAULT_SEED = 67280421310721          # torch's default_rng_seed_val: an unseeded Generator's seed
SMALL_RANDPERM = (2 ** 32 - 1) // 20   # torch switches to 64-bit draws at and above this n


class Generator:
    """A torch-shaped CPU random generator: ``manual_seed``, ``initial_seed``, ``seed``, ``device``."""

    def __init__(self, device="cpu"):
        kind = str(getattr(device, "type", device)).split(":")[0]
        if kind != "cpu":
            raise RuntimeError(f"msbridge.torch.Generator is torch's CPU generator; got device {device!r}")
        self.device = device if not isinstance(device, str) else _cpu()
        self._bits = np.random.MT19937()
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed) -> "Generator":
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
        self._seed = int(seed) % 2 ** 64
        self._bits._legacy_seeding(self._seed & 0xFFFFFFFF)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        """A fresh non-deterministic seed, set and returned (torch's ``Generator.seed``)."""
        value = int(np.random.SeedSequence().entropy % 2 ** 64)
        self.manual_seed(value)
        return value

    def randperm(self, n: int) -> list[int]:
        """torch.randperm(n, generator=self).tolist()."""
        n = int(n)
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
        if n >= SMALL_RANDPERM:
            raise RuntimeError(f"msbridge.torch.Generator reproduces torch.randperm for n < {SMALL_RANDPERM}; got {n}")
        order = list(range(n))
        if n > 1:
            for i, raw in enumerate(self._bits.random_raw(n - 1).tolist()):
                z = i + raw % (n - i)
                order[i], order[z] = order[z], order[i]
        return order

    def numpy(self) -> np.random.Generator:
        """A numpy Generator drawing from this generator's bits (advances it; not torch's numbers)."""
        return np.random.Generator(self._bits)


def _cpu():
    from msbridge.torch.device import device
    return device("cpu")
