"""The random stream msbridge's samplers draw from when no generator is given.

torch's samplers draw from torch's global generator; a ported program has no torch, so
they draw from one numpy Generator that ``msbridge.torch.manual_seed`` reseeds. The
permutations differ from torch's (different algorithms), the guarantees do not: each
epoch of a shuffling loader visits every index once, and a seeded run repeats itself.
"""
from __future__ import annotations

import numpy as np

from msbridge.torch.generator import Generator

_state = {"rng": np.random.default_rng()}


def seed(value: int) -> None:
    _state["rng"] = np.random.default_rng(int(value))


def generator(given=None) -> np.random.Generator:
    """``given`` (a numpy Generator, an int seed, an msbridge.torch.Generator) or msbridge's global stream."""
    if given is None:
        return _state["rng"]
    if isinstance(given, np.random.Generator):
        return given
    if isinstance(given, Generator):   # msbridge.torch.Generator: its bits, not torch's numbers
        return given.numpy()
    if isinstance(given, (int, np.integer)) and not isinstance(given, bool):
        return np.random.default_rng(int(given))
    raise TypeError(f"generator must be an msbridge.torch.Generator, a numpy.random.Generator or an int seed on "
                    f"MindSpore, got {type(given).__name__}")
