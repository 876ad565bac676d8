"""Tensor rows the generic harness cannot compare value for value, checked on both real frameworks.

* random creation (randn, rand): the converted call draws from the target's generator, so only
  shape, dtype and distribution cross: checked on a 4096-sample draw from each side;
* empty: values are undefined on both sides, so only shape and dtype;
* ``mindspore.Tensor(data)``: the dtype each side infers from the data;
* dtype constants: the same numpy dtype on both sides.
"""
import mindspore
import numpy as np
import pytest
import torch

from msbridge.bridge.real_api import resolve
from msbridge.tables import load_tables
from msbridge.tables.translate import translate

ROWS = {row.id: row for row in load_tables().rows}


def _np(value):
    return value.asnumpy() if isinstance(value, mindspore.Tensor) else value.numpy()


def _both(row_id, ms_kwargs):
    """(MindSpore result, torch result) of the row called from its MindSpore side and translated
    (the size positional: MindSpore's randn/rand take ``*size`` only)."""
    row = ROWS[row_id]
    out = translate(row, "to_torch", (), ms_kwargs)
    args, kwargs = ((ms_kwargs.pop("size"),) if "size" in ms_kwargs else ()), ms_kwargs
    return _np(resolve(row.mindspore.name)(*args, **kwargs)), _np(resolve(out.api)(**out.kwargs))


@pytest.mark.parametrize("row_id,mean,std", [("tensor.randn", 0.0, 1.0), ("tensor.rand", 0.5, (1 / 12) ** 0.5)])
def test_random_creation_has_the_same_distribution(row_id, mean, std):
    torch.manual_seed(0)
    mindspore.set_seed(0)
    ours, theirs = _both(row_id, {"size": (64, 64)})
    for values in (ours, theirs):
        assert values.shape == (64, 64) and values.dtype == np.float32
        # 4096 samples: the standard error of the mean is std/64; 5 of them is a 1-in-10^6 false alarm
        assert abs(values.mean() - mean) < 5 * std / 64
        assert abs(values.std() - std) < 0.05 * std
    assert not np.array_equal(ours, theirs), "two generators: equal draws would mean one side was not run"
    if row_id == "tensor.rand":
        assert ours.min() >= 0 and theirs.min() >= 0 and ours.max() < 1 and theirs.max() < 1


def test_empty_has_the_same_shape_and_dtype():
    ours, theirs = _both("tensor.empty", {"size": (2, 3)})
    assert ours.shape == theirs.shape == (2, 3) and ours.dtype == theirs.dtype == np.float32


@pytest.mark.parametrize("data", [[1.0, 2.5], [1, 2], [True, False], 2.5, 3,
                                  np.arange(3, dtype=np.float64), np.arange(3, dtype=np.int32),
                                  np.ones((2, 2), np.float16)],
                         ids=["floats", "ints", "bools", "float", "int", "np-float64", "np-int32", "np-float16"])
def test_tensor_infers_the_same_dtype(data):
    ours, theirs = _both("Tensor", {"input_data": data})
    assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)


DTYPES = [row for row in ROWS.values() if row.id.startswith("dtype.")]


@pytest.mark.parametrize("row", DTYPES, ids=[r.id for r in DTYPES])
def test_dtype_rows_name_the_same_type(row):
    ms_type, pt_type = resolve(row.mindspore.name), resolve(row.torch.name)
    if row.id == "dtype.bfloat16":   # numpy has no bfloat16: compare how both round the same float32 values
        values = np.array([1.00390625, 3.14159, -2.0e-3, 65504.0], np.float32)
        ours = mindspore.Tensor(values).astype(ms_type).astype(mindspore.float32).asnumpy()
        theirs = torch.from_numpy(values).to(pt_type).float().numpy()
        assert np.array_equal(ours, theirs) and not np.array_equal(ours, values)
    else:
        assert mindspore.dtype_to_nptype(ms_type) == torch.zeros(1, dtype=pt_type).numpy().dtype
