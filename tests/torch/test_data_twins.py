"""msbridge.torch.utils.data on MindSpore against torch.utils.data, side by side.

Without shuffling every batch equals torch's element for element (values and dtypes); with
shuffling each epoch holds the same multiset of samples. Each twin is built from the same
numpy data on both sides.
"""
import collections

import mindspore as ms
import numpy as np
import pytest
import torch
import torch.utils.data as td
from torch.utils.data.distributed import DistributedSampler as TorchDistributedSampler

import msbridge.torch as mt
import msbridge.torch.utils.data as md

DTYPES = {torch.float32: ms.float32, torch.float64: ms.float64, torch.int64: ms.int64, torch.bool: ms.bool_,
          torch.int32: ms.int32}
X = np.arange(33, dtype=np.float32).reshape(11, 3) / 7
Y = np.arange(11) % 3


def _same(ours, theirs):
    """A batch structure of MindSpore tensors equals one of torch tensors (values and dtypes)."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, ms.Tensor) and DTYPES[theirs.dtype] == ours.dtype
        np.testing.assert_array_equal(ours.asnumpy(), theirs.numpy())
    elif isinstance(theirs, dict):
        assert ours.keys() == theirs.keys()
        for key in theirs:
            _same(ours[key], theirs[key])
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
    else:
        assert ours == theirs


class Samples:
    """A map-style dataset of mixed samples: numpy arrays, Python numbers, strings and dicts."""

    def __init__(self, base):
        self.base = base

    def __len__(self):
        return 7

    def __getitem__(self, i):
        return {"x": X[i] * 2, "id": i, "w": float(i) / 3, "flag": i % 2 == 0, "name": f"s{i}"}, Y[i]


class TorchSamples(Samples, td.Dataset):
    pass


class OurSamples(Samples, md.Dataset):
    pass


@pytest.mark.parametrize("batch_size,drop_last", [(4, False), (4, True), (1, False), (None, False)])
def test_loader_batches_equal_torch_without_shuffling(batch_size, drop_last):
    theirs = list(td.DataLoader(TorchSamples(None), batch_size=batch_size, drop_last=drop_last, num_workers=0))
    ours_loader = md.DataLoader(OurSamples(None), batch_size=batch_size, drop_last=drop_last, num_workers=2)
    ours = list(ours_loader)
    assert len(ours) == len(theirs) == len(ours_loader)
    for a, b in zip(ours, theirs):
        _same(a, b)


def test_tensor_dataset_collate_fn_sampler_and_batch_sampler_equal_torch():
    t_set = td.TensorDataset(torch.tensor(X), torch.tensor(Y))
    m_set = md.TensorDataset(ms.Tensor(X), ms.Tensor(Y))
    assert len(m_set) == len(t_set)
    cases = [
        (dict(batch_size=3), dict(batch_size=3)),
        (dict(batch_size=3, collate_fn=lambda b: len(b)), dict(batch_size=3, collate_fn=lambda b: len(b))),
        (dict(sampler=td.SequentialSampler(t_set), batch_size=5), dict(sampler=md.SequentialSampler(m_set), batch_size=5)),
        (dict(sampler=[10, 0, 4, 4], batch_size=2), dict(sampler=[10, 0, 4, 4], batch_size=2)),
        (dict(batch_sampler=td.BatchSampler(range(11), 4, True)), dict(batch_sampler=md.BatchSampler(range(11), 4, True))),
    ]
    for t_kwargs, m_kwargs in cases:
        theirs, ours = list(td.DataLoader(t_set, **t_kwargs)), list(md.DataLoader(m_set, **m_kwargs))
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
    # the default collate on its own
    _same(md.default_collate([(1, 2.0, True), (3, 4.0, False)]), td.default_collate([(1, 2.0, True), (3, 4.0, False)]))


def _rows(batches):
    return collections.Counter(tuple(np.concatenate([b[0].asnumpy()[i], [b[1].asnumpy()[i]]]).tolist())
                               for b in batches for i in range(b[0].shape[0]))


def _torch_rows(batches):
    return collections.Counter(tuple(np.concatenate([b[0].numpy()[i], [b[1].numpy()[i]]]).tolist())
                               for b in batches for i in range(b[0].shape[0]))


def test_shuffled_epochs_hold_torchs_multiset_and_a_seed_repeats_them():
    t_loader = td.DataLoader(td.TensorDataset(torch.tensor(X), torch.tensor(Y)), batch_size=4, shuffle=True)
    m_loader = md.DataLoader(md.TensorDataset(ms.Tensor(X), ms.Tensor(Y)), batch_size=4, shuffle=True)
    mt.manual_seed(3)
    first, second = list(m_loader), list(m_loader)
    assert [b[0].shape[0] for b in first] == [b[0].shape[0] for b in list(t_loader)] == [4, 4, 3]
    assert _rows(first) == _rows(second) == _torch_rows(list(t_loader))
    assert [b[1].asnumpy().tolist() for b in first] != [b[1].asnumpy().tolist() for b in second]   # reshuffled
    mt.manual_seed(3)
    again = list(m_loader)
    assert [b[1].asnumpy().tolist() for b in again] == [b[1].asnumpy().tolist() for b in first]
    numpy_state = np.random.get_state()[1].copy()
    mt.manual_seed(4)   # torch's manual_seed leaves numpy's global generator alone, and so does the twin
    assert (np.random.get_state()[1] == numpy_state).all()


def test_samplers_random_split_and_subsets_match_torch_sizes_and_sets():
    rng = np.random.default_rng(0)
    for sampler in (md.RandomSampler(range(9), generator=rng), md.SubsetRandomSampler([5, 1, 7], generator=rng)):
        torch_like = td.RandomSampler(range(9)) if isinstance(sampler, md.RandomSampler) else \
            td.SubsetRandomSampler([5, 1, 7])
        assert sorted(sampler) == sorted(torch_like) and len(sampler) == len(torch_like)
    drawn = list(md.RandomSampler(range(4), replacement=True, num_samples=10, generator=1))
    assert len(drawn) == 10 and set(drawn) <= set(range(4))
    assert len(list(md.RandomSampler(range(4), num_samples=6, generator=1))) == len(list(td.RandomSampler(range(4), num_samples=6)))
    for lengths in ([3, 8], [0.3, 0.7], [0.5, 0.25, 0.25]):
        theirs = td.random_split(range(11), lengths)
        ours = md.random_split(range(11), lengths, generator=2)
        assert [len(p) for p in ours] == [len(p) for p in theirs]
        assert sorted(i for p in ours for i in p) == list(range(11))
    with pytest.raises(ValueError):
        md.random_split(range(11), [3, 3])
    with pytest.raises(ValueError):
        td.random_split(range(11), [3, 3])
    concat_t, concat_m = td.ConcatDataset([range(3), range(10, 12)]), md.ConcatDataset([range(3), range(10, 12)])
    assert [concat_m[i] for i in range(-5, 5)] == [concat_t[i] for i in range(-5, 5)]


@pytest.mark.parametrize("shuffle,drop_last", [(False, False), (False, True), (True, False)])
def test_distributed_sampler_partitions_as_torch(shuffle, drop_last):
    for rank in range(3):
        theirs = TorchDistributedSampler(range(10), num_replicas=3, rank=rank, shuffle=shuffle, drop_last=drop_last)
        ours = md.DistributedSampler(range(10), num_replicas=3, rank=rank, shuffle=shuffle, drop_last=drop_last)
        assert len(ours) == len(theirs)
        if not shuffle:
            assert list(ours) == list(theirs)
    if shuffle:   # as torch's: the ranks together read every index, 10 padded to 12 by repeating the order's head
        ours = collections.Counter(i for r in range(3) for i in md.DistributedSampler(range(10), 3, r, True))
        theirs = collections.Counter(i for r in range(3) for i in TorchDistributedSampler(range(10), 3, r, True))
        assert set(ours) == set(theirs) == set(range(10))
        assert sum(ours.values()) == sum(theirs.values()) == 12 and max(ours.values()) == max(theirs.values()) == 2


def test_loader_errors_are_torchs():
    for kwargs in (dict(sampler=[0], shuffle=True), dict(batch_sampler=[[0]], batch_size=2),
                   dict(batch_size=None, drop_last=True), dict(num_workers=-1)):
        with pytest.raises(ValueError):
            td.DataLoader(range(3), **kwargs)
        with pytest.raises(ValueError):
            md.DataLoader(range(3), **kwargs)
    with pytest.raises(TypeError, match="torch.Generator"):
        list(md.DataLoader(range(3), shuffle=True, generator=object()))
