"""torch's ``manual_seed`` on MindSpore.

Seeds MindSpore's global seed (``mindspore.set_seed``) and the stream msbridge's samplers and
``random_split`` draw from, so a ported program repeats itself run to run. The numbers drawn
are NOT torch's (other generators): initial weights, shuffles and dropout masks differ from
the torch run's. ``mindspore.set_seed`` also reseeds numpy's global generator, which torch's
``manual_seed`` leaves alone: its state is restored afterwards.
"""
from __future__ import annotations

import mindspore
import numpy as np

from msbridge.torch.utils.data import _random


def manual_seed(seed):
    seed = int(seed)
    state = np.random.get_state()
    mindspore.set_seed(seed % (2 ** 32))
    np.random.set_state(state)
    _random.seed(seed)
    return None


def seed():
    """A fresh non-deterministic seed (torch.seed)."""
    value = int(np.random.SeedSequence().entropy % (2 ** 63))
    manual_seed(value)
    return value


def initial_seed():
    return mindspore.get_seed()
