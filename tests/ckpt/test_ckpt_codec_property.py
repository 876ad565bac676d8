"""The hand-written .ckpt codec against MindSpore's own save/load, on generated tensors:
our file is byte-identical to save_checkpoint's, and reads back bit-identically both ways."""
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

ms = pytest.importorskip("mindspore")

from msbridge.bridge.checkpoint_io import read_checkpoint, write_checkpoint  # noqa: E402
from msbridge.bridge.checkpoint_tensor import to_numpy  # noqa: E402

DTYPES = {"float32": np.float32, "float16": np.float16, "float64": np.float64, "int32": np.int32,
          "int64": np.int64, "int8": np.int8, "uint8": np.uint8, "bool": np.bool_}
NAMES = st.text(st.sampled_from("abcxyz_.0123é"), min_size=1, max_size=12).filter(lambda s: not s.startswith("."))
SHAPES = st.lists(st.integers(1, 200), min_size=0, max_size=3).map(tuple)
ENTRIES = st.dictionaries(NAMES, st.tuples(st.sampled_from(sorted(DTYPES)), SHAPES, st.integers(0, 2**31)),
                          min_size=1, max_size=4)


def _array(dtype, shape, seed):
    rng = np.random.RandomState(seed % 2**32)
    return (rng.randn(*shape) * 100).astype(DTYPES[dtype]) if shape else np.array(rng.randn() * 100, DTYPES[dtype])


@settings(max_examples=8, deadline=None)
@given(ENTRIES)
@example({"w": ("float32", (), 0)})
@example({"é.weight": ("float16", (200, 3), 1), "b": ("bool", (130,), 2)})  # multi-byte varints, unicode
@example({"x": ("int64", (1, 1, 1), 3)})
def test_our_ckpt_is_mindspores_own_bytes(tmp_path_factory, entries):
    folder = tmp_path_factory.mktemp("codec")
    arrays = {name: _array(*spec) for name, spec in entries.items()}
    ms.save_checkpoint({n: ms.Parameter(ms.Tensor(a), name=n) for n, a in arrays.items()}, str(folder / "ms.ckpt"))
    ours = read_checkpoint(folder / "ms.ckpt")
    for name, array in arrays.items():
        got = to_numpy(ours.tensors[name])
        assert got.dtype == array.dtype and got.shape == array.shape and got.tobytes() == array.tobytes(), name
    write_checkpoint(folder / "ours.ckpt", ours.tensors)
    assert (folder / "ours.ckpt").read_bytes() == (folder / "ms.ckpt").read_bytes()
    back = ms.load_checkpoint(str(folder / "ours.ckpt"))
    assert {n: back[n].asnumpy().tobytes() for n in arrays} == {n: a.tobytes() for n, a in arrays.items()}
