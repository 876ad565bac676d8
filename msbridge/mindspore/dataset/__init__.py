"""``mindspore.dataset``-shaped pipelines on numpy, yielding torch tensors.

The sources, ``batch``, ``map`` and ``repeat`` follow MindSpore 2.10 row for row
when nothing is shuffled (checked against the real ``mindspore.dataset``). With
shuffling the order is a different random permutation (our own generator,
seeded by ``set_seed`` / ``numpy``), the same multiset of rows.
"""
from msbridge.mindspore.dataset import transforms, vision
from msbridge.mindspore.dataset.pipeline import Dataset
from msbridge.mindspore.dataset.sources import GeneratorDataset, NumpySlicesDataset

__all__ = ["transforms", "vision", "Dataset", "GeneratorDataset", "NumpySlicesDataset"]
