"""``set_context``/``get_context``/``set_seed`` against real MindSpore: the same validation (exception type and
message), the same remembered values, the same numpy stream after ``set_seed``."""
import mindspore as ms
import numpy as np
import pytest
import torch

import msbridge.mindspore as ours


@pytest.fixture
def real_mode():
    """Leave the real framework in the mode the other tests expect."""
    mode = ms.get_context("mode")
    yield
    ms.set_context(mode=mode)


@pytest.mark.parametrize("kwargs", [{"mode": 5}, {"device_target": "TPU"}, {"foo": 1}],
                         ids=["bad-mode", "bad-device", "unknown-key"])
def test_set_context_rejects_like_mindspore(kwargs, real_mode):
    with pytest.raises(Exception) as real_error:
        ms.set_context(**kwargs)
    with pytest.raises(Exception) as our_error:
        ours.set_context(**kwargs)
    assert type(our_error.value) is type(real_error.value)
    assert str(our_error.value) == str(real_error.value)


def test_set_context_remembers_like_mindspore(real_mode):
    for module in (ms, ours):
        module.set_context(mode=module.GRAPH_MODE, max_call_depth=2000)
    assert ours.GRAPH_MODE == ms.GRAPH_MODE and ours.PYNATIVE_MODE == ms.PYNATIVE_MODE
    assert ours.context.GRAPH_MODE == ms.context.GRAPH_MODE
    for key in ("mode", "max_call_depth"):
        assert ours.get_context(key) == ms.get_context(key)
    ours.set_context(mode=ours.PYNATIVE_MODE)
    with pytest.raises(ValueError) as real_error:
        ms.get_context("foo")
    with pytest.raises(ValueError) as our_error:
        ours.get_context("foo")
    assert str(our_error.value) == str(real_error.value)


@pytest.mark.parametrize("seed", [-1, 1.5], ids=["negative", "float"])
def test_set_seed_rejects_like_mindspore(seed):
    with pytest.raises(Exception) as real_error:
        ms.set_seed(seed)
    with pytest.raises(Exception) as our_error:
        ours.set_seed(seed)
    assert type(our_error.value) is type(real_error.value)
    assert str(our_error.value) == str(real_error.value)


def test_set_seed_seeds_numpy_like_mindspore_and_torch():
    ms.set_seed(1234)
    real = np.random.normal(0, 1, 5)
    ours.set_seed(1234)
    ours_numpy, ours_torch = np.random.normal(0, 1, 5), torch.rand(3)
    np.testing.assert_array_equal(ours_numpy, real)
    ours.set_seed(1234)
    assert torch.equal(torch.rand(3), ours_torch)
    order = [int(r[0]) for r in ours.dataset.NumpySlicesDataset(np.arange(10)).create_tuple_iterator()]
    ours.set_seed(1234)
    assert [int(r[0]) for r in ours.dataset.NumpySlicesDataset(np.arange(10)).create_tuple_iterator()] == order


IMPORT_PATHS = [
    ("", "Model"), ("", "LossMonitor"), ("", "TimeMonitor"), ("", "ModelCheckpoint"), ("", "CheckpointConfig"),
    ("", "Callback"), ("", "RunContext"), ("", "Accuracy"), ("", "Loss"), ("", "set_seed"), ("", "set_context"),
    ("", "set_device"), ("", "GRAPH_MODE"), ("context", "set_context"), ("context", "PYNATIVE_MODE"),
    ("train", "Model"), ("train", "Top5CategoricalAccuracy"), ("train.callback", "LossMonitor"),
    ("train.callback", "ModelCheckpoint"), ("train.callback", "CheckpointConfig"), ("train.callback", "Callback"),
    ("train.callback", "RunContext"), ("train.metrics", "Accuracy"), ("dataset", "GeneratorDataset"),
    ("", "FixedLossScaleManager"), ("train", "DynamicLossScaleManager"),
]


@pytest.mark.parametrize("module, name", IMPORT_PATHS, ids=[f"{m or 'mindspore'}.{n}" for m, n in IMPORT_PATHS])
def test_import_paths_scripts_use(module, name):
    """``from mindspore.<module> import <name>`` works in MindSpore and, with the same name, in msbridge."""
    import importlib
    real = importlib.import_module("mindspore" + (f".{module}" if module else ""))
    mine = importlib.import_module("msbridge.mindspore" + (f".{module}" if module else ""))
    real_value, our_value = getattr(real, name), getattr(mine, name)
    if isinstance(real_value, int):
        assert our_value == real_value
    else:
        assert our_value.__name__ == real_value.__name__
