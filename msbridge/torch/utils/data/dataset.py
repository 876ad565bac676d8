"""torch's map-style datasets (``Dataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset``, ``random_split``).

Pure Python over whatever the samples are (MindSpore tensors, numpy arrays, numbers): the
same indexing contract as torch's, so a user's ``Dataset`` subclass ports by changing its base.
"""
from __future__ import annotations

import bisect
import math

from msbridge.torch.generator import Generator
from msbridge.torch.utils.data import _random


class Dataset:
    """Base of map-style datasets: ``__getitem__(index)`` and (usually) ``__len__``."""

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base of iterable-style datasets: ``__iter__`` yields samples."""

    def __iter__(self):
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")


class TensorDataset(Dataset):
    """Sample ``i`` is ``tuple(t[i] for t in tensors)``; every tensor has the same first dimension."""

    def __init__(self, *tensors):
        if not tensors or any(t.shape[0] != tensors[0].shape[0] for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(tensor[index] for tensor in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class Subset(Dataset):
    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        self.cumulative_sizes, total = [], 0
        for dataset in self.datasets:
            if isinstance(dataset, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
            total += len(dataset)
            self.cumulative_sizes.append(total)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][idx - start]


def _lengths(total: int, lengths) -> list[int]:
    """torch's rule: fractions summing to 1 become counts, the remainder spread one by one from the front."""
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            counts.append(int(math.floor(total * frac)))
        for i in range(total - sum(counts)):
            counts[i % len(counts)] += 1
        return counts
    return [int(n) for n in lengths]


def random_split(dataset, lengths, generator=None):
    """Split into non-overlapping ``Subset``s of the given lengths (or fractions), torch's sizes.

    With an ``msbridge.torch.Generator`` the parts are torch's own (its ``randperm``, bit for bit);
    otherwise they come from a numpy permutation (``generator``: a numpy Generator or a seed;
    default msbridge's global stream), not torch's ``randperm``.
    """
    counts = _lengths(len(dataset), lengths)
    if sum(counts) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    if isinstance(generator, Generator):
        order = generator.randperm(sum(counts))
    else:
        order = _random.generator(generator).permutation(sum(counts)).tolist()
    parts, offset = [], 0
    for count in counts:
        parts.append(Subset(dataset, order[offset:offset + count]))
        offset += count
    return parts
