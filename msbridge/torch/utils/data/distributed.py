"""torch's ``DistributedSampler`` over MindSpore's communication group.

Each of ``num_replicas`` processes reads every ``num_replicas``-th index from ``rank``, after the
index list is padded (repeating its head) or cut (``drop_last``) to a multiple of ``num_replicas``,
as torch does. ``num_replicas``/``rank`` default to ``mindspore.communication.get_group_size()``/
``get_rank()``. Without shuffling each rank's indices are torch's; with it, the permutation is
numpy's seeded by ``seed + epoch`` (the same on every rank, so the ranks still partition the data).
"""
from __future__ import annotations

import math

import numpy as np

from msbridge.torch.utils.data.sampler import Sampler


def _group(what: str) -> int:
    from mindspore import communication
    try:
        return communication.get_group_size() if what == "size" else communication.get_rank()
    except RuntimeError as exc:
        raise RuntimeError(f"Requires distributed package to be available and initialized "
                           f"(mindspore.communication.init()): {exc}") from exc


class DistributedSampler(Sampler):
    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        num_replicas = _group("size") if num_replicas is None else num_replicas
        rank = _group("rank") if rank is None else rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset, self.num_replicas, self.rank = dataset, num_replicas, rank
        self.shuffle, self.seed, self.drop_last, self.epoch = shuffle, seed, drop_last, 0
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            indices = np.random.default_rng(self.seed + self.epoch).permutation(n).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            padding = self.total_size - len(indices)
            if padding <= len(indices):
                indices += indices[:padding]
            else:
                indices += (indices * math.ceil(padding / len(indices)))[:padding]
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
