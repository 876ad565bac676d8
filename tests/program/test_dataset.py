"""``msbridge.mindspore.dataset`` against the real ``mindspore.dataset``: the same pipeline code runs on both
modules; every row must be equal element for element (dtype, shape, values) without shuffling, and the
same multiset of rows with it.
"""
import mindspore.dataset as ms_ds
import numpy as np
import pytest
import torch

import msbridge.mindspore.dataset as our_ds


class Source:
    """Random access: (float32 vector, int label, Python float)."""

    def __getitem__(self, i):
        return np.arange(3, dtype=np.float32) + i, i % 3, 0.5 * i

    def __len__(self):
        return 7


def generator():
    for i in range(5):
        yield (np.array([i, i + 1]), np.float32(i) / 4)


def double(a):
    return a * 2


def plus_one(a):
    return a + 1


def sum_diff(a, b):
    return a + b, a - b


PIPELINES = {
    "slices-list": lambda ds: ds.NumpySlicesDataset([1, 2, 3], shuffle=False),
    "slices-mixed-list": lambda ds: ds.NumpySlicesDataset([1.5, 2, 3], shuffle=False),
    "slices-tuple": lambda ds: ds.NumpySlicesDataset(([1, 2, 3], [4.0, 5.0, 6.0]), shuffle=False),
    "slices-dict": lambda ds: ds.NumpySlicesDataset({"a": [1, 2, 3], "b": [[1., 2], [3, 4], [5, 6]]}, shuffle=False),
    "slices-array-named": lambda ds: ds.NumpySlicesDataset(
        np.arange(12, dtype=np.float32).reshape(6, 2), column_names=["x"], shuffle=False).batch(4),
    "slices-tuple-batch": lambda ds: ds.NumpySlicesDataset(
        (np.arange(10, dtype=np.float32).reshape(5, 2), np.arange(5, dtype=np.int32)), ["x", "y"],
        shuffle=False).batch(2),
    "random-access": lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"], shuffle=False),
    "random-access-batch": lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"], shuffle=False).batch(3),
    "random-access-drop": lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"], shuffle=False).batch(
        3, drop_remainder=True),
    "generator": lambda ds: ds.GeneratorDataset(generator, ["x", "y"]),
    "generator-batch-repeat": lambda ds: ds.GeneratorDataset(generator, ["x", "y"]).batch(2).repeat(2),
    "map-one-column": lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"], shuffle=False).map(
        double, input_columns=["y"]),
    "map-default-first-column": lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"], shuffle=False).map(
        [double, plus_one]),
    "map-two-inputs": lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"], shuffle=False).map(
        sum_diff, input_columns=["x", "z"]),
    "map-new-columns": lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"], shuffle=False).map(
        sum_diff, input_columns=["x", "z"], output_columns=["s", "d"]),
    "map-renamed-in-place": lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"], shuffle=False).map(
        double, input_columns=["y"], output_columns=["w"]),
    "map-fewer-outputs": lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"], shuffle=False).map(
        max, input_columns=["z", "y"], output_columns=["w"]),
    "map-then-batch": lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"], shuffle=False).map(
        plus_one, input_columns="x").batch(4),
    "shards-wrap": lambda ds: ds.NumpySlicesDataset(np.arange(10), shuffle=False, num_shards=3, shard_id=1),
    "shards-last": lambda ds: ds.NumpySlicesDataset(np.arange(7), shuffle=False, num_shards=3, shard_id=2),
    "shards-random-access-samples": lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"], shuffle=False,
                                                                   num_shards=2, shard_id=1, num_samples=3),
    "take-skip": lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"], shuffle=False).skip(2).take(3),
    "batch-then-take": lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"], shuffle=False).batch(2).take(2),
    "rename-project": lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"], shuffle=False).rename(
        ["x", "z"], ["image", "weight"]).project(["weight", "image"]),
    "num-samples": lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"], shuffle=False, num_samples=4),
}


def _rows(dataset):
    return [[(a.dtype, a.shape, a.tolist()) for a in row] for row in dataset.create_tuple_iterator(output_numpy=True)]


@pytest.mark.parametrize("name", PIPELINES)
def test_rows_equal_mindspore(name):
    real, ours = PIPELINES[name](ms_ds), PIPELINES[name](our_ds)
    real_rows = _rows(real)
    assert real_rows  # a non-empty reference
    assert _rows(ours) == real_rows
    assert ours.get_dataset_size() == real.get_dataset_size()
    assert ours.get_col_names() == real.get_col_names()


def test_iterators_yield_torch_tensors_with_mindspore_values():
    real = PIPELINES["random-access-batch"](ms_ds)
    ours = PIPELINES["random-access-batch"](our_ds)
    real_dicts = list(real.create_dict_iterator(num_epochs=1))
    our_dicts = list(ours.create_dict_iterator(num_epochs=1))
    assert [list(d) for d in our_dicts] == [list(d) for d in real_dicts]
    for real_row, our_row in zip(real_dicts, our_dicts):
        for key in real_row:
            assert isinstance(our_row[key], torch.Tensor)
            assert our_row[key].numpy().dtype == real_row[key].asnumpy().dtype
            np.testing.assert_array_equal(our_row[key].numpy(), real_row[key].asnumpy())
    our_tuples = list(ours.create_tuple_iterator())
    assert isinstance(our_tuples[0], list) and all(isinstance(t, torch.Tensor) for t in our_tuples[0])


@pytest.mark.parametrize("make", [
    lambda ds: ds.NumpySlicesDataset(np.arange(20), shuffle=True),
    lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"]),  # MindSpore's default: shuffle=True
    lambda ds: ds.GeneratorDataset(Source(), ["x", "y", "z"], shuffle=False).shuffle(4),
], ids=["slices-shuffle", "random-access-default-shuffle", "shuffle-op"])
def test_shuffled_rows_same_multiset(make):
    real, ours = _rows(make(ms_ds)), _rows(make(our_ds))
    key = repr
    assert sorted(map(key, ours)) == sorted(map(key, real))


@pytest.mark.parametrize("kwargs", [{"num_shards": 2}, {"shard_id": 0}, {"num_shards": 2, "shard_id": 2}],
                         ids=["shards-without-id", "id-without-shards", "id-too-large"])
def test_shard_arguments_rejected_like_mindspore(kwargs):
    with pytest.raises(ValueError) as real_error:
        ms_ds.NumpySlicesDataset(np.arange(4), shuffle=False, **kwargs)
    with pytest.raises(ValueError) as our_error:
        our_ds.NumpySlicesDataset(np.arange(4), shuffle=False, **kwargs)
    assert str(our_error.value) == str(real_error.value)
