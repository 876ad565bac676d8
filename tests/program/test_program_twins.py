"""msbridge's program twins beside real MindSpore 2.10: dataset vision/transforms operations (bit for bit,
alone and inside a GeneratorDataset pipeline), communication before init, the auto-parallel context's
validation and defaults, jit. (TrainOneStepCell/WithLossCell and sens run in
test_program_ports.py's trajectories, beside real MindSpore.)"""
import os

import mindspore as ms
import mindspore.dataset as ds
import mindspore.dataset.transforms as ms_transforms
import mindspore.dataset.vision as ms_vision
import numpy as np
import pytest
import torch

import msbridge.mindspore as ours
from msbridge.mindspore.dataset import transforms, vision

IMAGE = np.random.RandomState(0).randint(0, 256, (5, 4, 3)).astype(np.uint8)
OPERATIONS = [
    ("Normalize", lambda m: m.Normalize([120.0, 110.0, 100.0], [50.0, 60.0, 70.0]), IMAGE),
    ("Normalize-chw", lambda m: m.Normalize([0.5], [0.25], is_hwc=False),
     IMAGE.transpose(2, 0, 1).astype(np.float32) / 255),
    ("Rescale", lambda m: m.Rescale(1.0 / 255.0, -0.5), IMAGE),
    ("ToTensor", lambda m: m.ToTensor(), IMAGE),
    ("HWC2CHW", lambda m: m.HWC2CHW(), IMAGE),
]


@pytest.mark.parametrize("make,image", [(m, i) for _, m, i in OPERATIONS], ids=[n for n, _, _ in OPERATIONS])
def test_vision_operations_bit_identical(make, image):
    real, mine = make(ms_vision)(image), make(vision)(image)
    assert mine.dtype == real.dtype and mine.shape == real.shape
    assert np.array_equal(mine, real)


def test_transforms_bit_identical():
    values = np.array([1.7, -2.5, 3.0, -0.2], np.float32)
    assert np.array_equal(transforms.TypeCast(torch.int32)(values), ms_transforms.TypeCast(ms.int32)(values))
    assert transforms.TypeCast(np.float16)(values).dtype == ms_transforms.TypeCast(np.float16)(values).dtype
    labels = np.array([0, 3, 1], np.int32)
    real = ms_transforms.OneHot(4)(labels)
    assert np.array_equal(transforms.OneHot(4)(labels), real) and transforms.OneHot(4)(labels).dtype == real.dtype
    chain = [(1.0 / 255.0, 0.0), (0.5, 0.1)]
    real = ms_transforms.Compose([ms_vision.Rescale(*a) for a in chain])(IMAGE)
    assert np.array_equal(transforms.Compose([vision.Rescale(*a) for a in chain])(IMAGE), real)


def test_pipeline_with_operations_equals_mindspore():
    class Source:
        def __getitem__(self, i):
            return IMAGE + np.uint8(i), np.float32(i % 2)

        def __len__(self):
            return 5

    def build(dataset, vis, tr, label_type):
        data = dataset.GeneratorDataset(Source(), column_names=["image", "label"], shuffle=False)
        data = data.map([vis.Rescale(1 / 255, 0.0), vis.Normalize([0.5] * 3, [0.2] * 3), vis.HWC2CHW()], "image")
        return data.map(tr.TypeCast(label_type), "label").batch(2)

    real = [[c.asnumpy() for c in row] for row in build(ds, ms_vision, ms_transforms, ms.int32).create_tuple_iterator()]
    mine = [[c.numpy() for c in row]
            for row in build(ours.dataset, vision, transforms, torch.int32).create_tuple_iterator()]
    assert len(mine) == len(real) == 3
    for a, b in zip(mine, real):
        assert all(x.dtype == y.dtype and np.array_equal(x, y) for x, y in zip(a, b))


def test_communication_before_init_answers_as_mindspore():
    from mindspore.communication import management as real
    from msbridge.mindspore.communication import management as mine
    assert (mine.get_rank(), mine.get_group_size(), mine.get_local_rank()) == \
        (real.get_rank(), real.get_group_size(), real.get_local_rank()) == (0, 1, 0)
    with pytest.raises(ValueError, match="world communication group"):
        mine.get_rank("my_group")
    with pytest.raises(RuntimeError, match="torchrun"):   # MindSpore: RuntimeError, "... without using 'mpirun'"
        mine.init()


def test_auto_parallel_context_validates_and_resets_as_mindspore():
    for kwargs in ({"foo": 1}, {"parallel_mode": "bad"}):
        with pytest.raises(ValueError) as real:
            ms.set_auto_parallel_context(**kwargs)
        with pytest.raises(ValueError) as mine:
            ours.set_auto_parallel_context(**kwargs)
        assert str(mine.value) == str(real.value)
    try:
        for module in (ms, ours):
            module.set_auto_parallel_context(parallel_mode=module.ParallelMode.DATA_PARALLEL, gradients_mean=True,
                                             device_num=2)
        for key in ("parallel_mode", "gradients_mean", "device_num"):
            assert ours.get_auto_parallel_context(key) == ms.get_auto_parallel_context(key)
    finally:
        ms.reset_auto_parallel_context()
        ours.reset_auto_parallel_context()
    for key in ("parallel_mode", "gradients_mean", "device_num", "parameter_broadcast"):
        assert ours.get_auto_parallel_context(key) == ms.get_auto_parallel_context(key), key
    with pytest.raises(NotImplementedError):
        ours.set_auto_parallel_context(parallel_mode=ours.ParallelMode.SEMI_AUTO_PARALLEL)


def test_jit_runs_the_function_itself():
    def f(x):
        return x * 2

    assert ours.jit(f) is f and ours.jit(jit_level="O1")(f) is f
    with pytest.raises(ValueError, match="capture_mode"):
        ours.jit(f, capture_mode="graph")


def test_amp_loss_scalers_and_all_finite_as_mindspore():
    from mindspore import amp as real_amp
    grads = (np.array([0.3, -1.7, 2.5e-3], np.float32), np.array([[1e4, -7.1]], np.float32))
    real, mine = real_amp.StaticLossScaler(1024), ours.amp.StaticLossScaler(1024)
    for a, b in zip(real.unscale(tuple(ms.Tensor(g) for g in grads)), mine.unscale(tuple(map(torch.from_numpy, grads)))):
        assert np.array_equal(b.numpy(), a.asnumpy())
    loss = np.float32(0.731)
    assert real.scale(ms.Tensor(loss)).asnumpy() == mine.scale(torch.tensor(loss)).numpy()
    assert real.adjust(ms.Tensor(True)) is mine.adjust(torch.tensor(True)) is False
    real, mine = real_amp.DynamicLossScaler(2.0 ** 10, 2, 2), ours.amp.DynamicLossScaler(2.0 ** 10, 2, 2)
    for finite in (True, True, False, True, True, True, False, False):
        real.adjust(ms.Tensor(finite))
        mine.adjust(torch.tensor(finite))
        assert float(mine.scale_value) == float(real.scale_value.asnumpy())
        assert int(mine.counter) == int(real.counter.asnumpy())
    for values in (grads, grads + (np.array([np.inf], np.float32),), (np.array([np.nan], np.float32),)):
        assert bool(ours.amp.all_finite(tuple(map(torch.from_numpy, values)))) == \
            bool(real_amp.all_finite(tuple(ms.Tensor(v) for v in values)).asnumpy())
    net = torch.nn.Linear(2, 2)
    assert ours.amp.auto_mixed_precision(net) is net
    with pytest.raises(NotImplementedError, match="autocast"):
        ours.amp.auto_mixed_precision(net, "O2")


def test_init_releases_the_group_at_exit(tmp_path):
    """A MindSpore script never calls release(); a gloo group left to Python's finalisation may abort."""
    import socket
    import subprocess
    import sys
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = tmp_path / "dp.py"
    script.write_text(
        "import atexit\n"
        "import torch.distributed as dist\n"
        "atexit.register(lambda: print('initialized at exit:', dist.is_initialized()))   # runs last\n"
        "from msbridge.mindspore.communication.management import init, get_group_size\n"
        "init()\n"
        "print('group size:', get_group_size())\n")
    env = dict(os.environ, RANK="0", WORLD_SIZE="1", LOCAL_RANK="0", MASTER_ADDR="127.0.0.1",
               MASTER_PORT=str(port))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["group size: 1", "initialized at exit: False"]
