"""More of msbridge.torch's program twins on MindSpore against real torch, side by side (issue 15).

torch's file format written and read without torch (``serialization``), the Module methods decided at
run time (``nn.module_mode``), ``enable_grad``, ``DataParallel``/``data_parallel``, ``multiprocessing.spawn``,
and the device calls on a machine without an accelerator (this one: MindSpore's CPU target, CPU torch).
"""
import collections
import io
import pickle

import mindspore as ms
import numpy as np
import pytest
import torch
from mindspore import nn as msnn

import msbridge.torch as mt
from msbridge.torch import serialization
from msbridge.torch.nn import module_mode

W = np.array([[0.5, -1.0, 2.0]], np.float32)
XS = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.25]], np.float32)


# ---- torch.save / torch.load ---------------------------------------------------------------------
def _same(ours, theirs):
    """A MindSpore value loaded by msbridge equals the torch value torch loaded (values, dtype, containers)."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, ms.Tensor)
        assert str(ours.dtype).lower() == str(theirs.dtype).replace("torch.", "")
        as_float = theirs.dtype == torch.bfloat16   # numpy has no bfloat16: compare the (exact) float32 values
        np.testing.assert_array_equal(ours.astype(ms.float32).asnumpy() if as_float else ours.asnumpy(),
                                      theirs.float().numpy() if as_float else theirs.numpy())
        assert tuple(ours.shape) == tuple(theirs.shape)
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and list(ours) == list(theirs)
        for key in theirs:
            _same(ours[key], theirs[key])
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
    else:
        assert ours == theirs and type(ours) is type(theirs)


def _pair(values):
    """The same checkpoint built from numpy arrays: with torch tensors and with MindSpore tensors."""
    def build(tensor):
        return {"net": collections.OrderedDict((k, tensor(v)) for k, v in values.items()),
                "epoch": 3, "best": 0.25, "names": ["a", ("b", None)], "flag": True, "raw": b"\x00\x01"}
    return build(torch.from_numpy), build(ms.Tensor)


VALUES = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([1, -2], np.int64),
          "h": np.array([1.5, -0.25], np.float16), "d": np.array(2.5), "m": np.array([True, False]),
          "i": np.array([[7]], np.int32), "u": np.array([3], np.uint8)}


def test_our_save_is_read_by_torch_and_torchs_save_by_us(tmp_path):
    theirs, ours = _pair(VALUES)
    serialization.save(ours, tmp_path / "ours.pth")
    _same(serialization.load(tmp_path / "ours.pth"), torch.load(tmp_path / "ours.pth"))
    _same_torch = torch.load(tmp_path / "ours.pth")
    for key in VALUES:
        assert torch.equal(_same_torch["net"][key], theirs["net"][key])
    torch.save(theirs, tmp_path / "theirs.pth")
    _same(serialization.load(tmp_path / "theirs.pth"), theirs)
    # file objects, a strided view and bfloat16 (torch writes the view's whole storage)
    buffer = io.BytesIO()
    view = torch.arange(12.0).reshape(3, 4)[:, 1:3]
    torch.save({"v": view, "bf": torch.tensor([1.0, -2.5, 3.0e38], dtype=torch.bfloat16)}, buffer)
    buffer.seek(0)
    loaded = serialization.load(buffer)
    np.testing.assert_array_equal(loaded["v"].asnumpy(), view.numpy())
    assert loaded["bf"].dtype == ms.bfloat16
    np.testing.assert_array_equal(loaded["bf"].astype(ms.float32).asnumpy(),
                                  torch.tensor([1.0, -2.5, 3.0e38], dtype=torch.bfloat16).float().numpy())
    out = io.BytesIO()
    serialization.save({"bf": ms.Tensor([1.0, -2.5], ms.bfloat16)}, out)
    out.seek(0)
    assert torch.equal(torch.load(out)["bf"], torch.tensor([1.0, -2.5], dtype=torch.bfloat16))


class _Custom:
    pass


def test_load_refuses_other_globals_as_torchs_weights_only(tmp_path):
    torch.save({"x": _Custom()}, tmp_path / "obj.pth")
    with pytest.raises(pickle.UnpicklingError):
        torch.load(tmp_path / "obj.pth")
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global"):
        serialization.load(tmp_path / "obj.pth")
    with pytest.raises(pickle.UnpicklingError):
        serialization.load(tmp_path / "obj.pth", weights_only=False)   # never unpickles arbitrary objects


def test_load_reads_a_mindspore_checkpoint_by_content(tmp_path):
    net = msnn.Dense(3, 1)
    ms.save_checkpoint(net, str(tmp_path / "net.ckpt"))
    loaded = serialization.load(str(tmp_path / "net.ckpt"))
    assert sorted(loaded) == ["bias", "weight"]
    np.testing.assert_array_equal(loaded["weight"].asnumpy(), net.weight.asnumpy())


# ---- Module methods decided at run time ------------------------------------------------------------
def _pair_nets():
    """torch Linear(3, 2) and MindSpore Dense(3, 2): the same parameter names (weight, bias)."""
    return torch.nn.Linear(3, 2), msnn.Dense(3, 2)


def test_cells_own_load_state_dict_is_torchs():
    """Why the converter keeps ``net.load_state_dict(...)``/``net.state_dict()`` as written (rules.module_mode):
    MindSpore 2.10's Cell has both, with torch's checks, messages and results."""
    tnet, mnet = _pair_nets()
    w, b = np.full((2, 3), 0.5, np.float32), np.array([1.0, -1.0], np.float32)
    cases = [({"weight": w}, False), ({"weight": w, "bias": b, "extra": b}, True), ({"weight": w[:, :2]}, False),
             ({"weight": w}, True), ({"weight": w.astype(np.float64), "bias": b}, True)]
    for values, strict in cases:
        try:
            expected = repr(tnet.load_state_dict({k: torch.from_numpy(v) for k, v in values.items()}, strict=strict))
        except RuntimeError as exc:
            with pytest.raises(RuntimeError) as ours:
                mnet.load_state_dict({k: ms.Tensor(v) for k, v in values.items()}, strict=strict)
            # the one difference: torch prints a shape as torch.Size([2, 2]), MindSpore as (2, 2)
            theirs = str(exc).replace("Linear", "Dense").replace("torch.Size([", "(").replace("])", ")")
            assert str(ours.value) == theirs
            continue
        assert repr(mnet.load_state_dict({k: ms.Tensor(v) for k, v in values.items()}, strict=strict)) == expected
    assert mnet.weight.dtype == ms.float32   # a float64 value is cast, as torch's copy_ casts
    np.testing.assert_array_equal(mnet.weight.asnumpy(), tnet.weight.detach().numpy())
    state = mnet.state_dict()   # the same names; values that are the parameters themselves
    assert list(state) == list(tnet.state_dict()) == ["weight", "bias"]
    assert state["weight"] is mnet.weight


def test_train_eval_on_a_cell_and_on_other_objects():
    tnet, mnet = _pair_nets()
    assert module_mode.module_eval(mnet) is mnet and mnet.training is False
    assert tnet.eval() is tnet and tnet.training is False
    assert module_mode.module_train(mnet) is mnet and mnet.training is True
    assert module_mode.module_train(mnet, False) is mnet and mnet.training is False
    with pytest.raises(ValueError) as theirs:
        tnet.train(1)
    with pytest.raises(ValueError) as ours:
        module_mode.module_train(mnet, 1)
    assert str(ours.value) == str(theirs.value)

    class Trainer:   # a user's object with its own train(): kept
        def train(self, epochs=2):
            return f"trained {epochs}"

    class Layer(msnn.Dense):   # a user cell with its own train(x_pos, x_neg) (pytorch/examples' forward-forward)
        def train(self, x_pos, x_neg):
            return x_pos + x_neg

    assert module_mode.module_train(Layer(1, 1), 2, 3) == 5
    with pytest.raises(TypeError):
        tnet.train(True, False)
    with pytest.raises(TypeError):
        module_mode.module_train(mnet, True, False)

    assert module_mode.module_train(Trainer()) == "trained 2"
    assert module_mode.module_train(Trainer(), 5) == "trained 5"
    assert module_mode.module_eval(tnet) is tnet   # a torch module's own method (not a Cell)


# ---- enable_grad ---------------------------------------------------------------------------------
def test_enable_grad_inside_no_grad_records_as_torchs():
    w = torch.tensor(W, requires_grad=True)
    with torch.no_grad():
        with torch.enable_grad():
            b = (torch.tensor(XS) @ w.T).sum() * 3
        c = (torch.tensor(XS) @ w.T).sum()
    assert b.requires_grad and not c.requires_grad
    b.backward()
    net = msnn.Dense(3, 1, weight_init=ms.Tensor(W), has_bias=False)

    def forward(x):
        with mt.no_grad():
            with mt.enable_grad():
                inner = net(x).sum() * 3
            cut = net(x).sum()
        return inner + cut

    ours = ms.grad(forward, None, net.trainable_params())(ms.Tensor(XS))[0].asnumpy()
    np.testing.assert_array_equal(ours, w.grad.numpy())
    decorated = mt.enable_grad()(lambda x: net(x).sum())
    assert ms.grad(lambda x: mt.no_grad(lambda y: decorated(y))(x), None, net.trainable_params())(
        ms.Tensor(XS))[0].asnumpy().any()


# ---- DataParallel on one device ----------------------------------------------------------------------
def test_data_parallel_is_the_module_on_one_device():
    tnet, mnet = _pair_nets()
    x = np.array([[1.0, 2.0, 3.0]], np.float32)
    assert torch.equal(torch.nn.DataParallel(tnet)(torch.from_numpy(x)), tnet(torch.from_numpy(x)))
    with pytest.raises(RuntimeError) as theirs:   # the functional form needs an accelerator
        torch.nn.parallel.data_parallel(tnet, torch.from_numpy(x))
    wrapped = mt.nn.DataParallel(mnet)
    assert wrapped.module is mnet
    assert list(wrapped.state_dict()) == list(torch.nn.DataParallel(tnet).state_dict()) == ["module.weight", "module.bias"]
    np.testing.assert_array_equal(wrapped(ms.Tensor(x)).asnumpy(), mnet(ms.Tensor(x)).asnumpy())
    with pytest.raises(RuntimeError) as ours:
        mt.nn.parallel.data_parallel(mnet, ms.Tensor(x))
    assert str(ours.value) == str(theirs.value)


# ---- multiprocessing.spawn ---------------------------------------------------------------------------
def _child(rank, queue, fail_rank):
    if rank == fail_rank:
        raise ValueError(f"rank {rank} failed")
    queue.put(rank * 10)


def test_spawn_runs_each_rank_and_reports_a_failure_as_torchs():
    import multiprocessing

    import torch.multiprocessing as tmp

    for spawn, errors in ((tmp.start_processes, tmp), (mt.multiprocessing.start_processes, mt.multiprocessing)):
        queue = multiprocessing.get_context("fork").SimpleQueue()
        spawn(_child, args=(queue, -1), nprocs=2, start_method="fork")
        assert sorted([queue.get(), queue.get()]) == [0, 10]
        with pytest.raises(errors.ProcessRaisedException) as failed:
            spawn(_child, args=(queue, 1), nprocs=2, start_method="fork")
        assert failed.value.error_index == 1 and "ValueError: rank 1 failed" in str(failed.value)
        assert str(failed.value).startswith("\n\n-- Process 1 terminated with the following error:\n")
    context = mt.multiprocessing.start_processes(_child, args=(queue, -1), nprocs=1, join=False, start_method="fork")
    while not context.join():
        pass


# ---- the device calls without an accelerator ----------------------------------------------------------
def test_device_calls_without_an_accelerator_answer_as_torchs():
    assert ms.get_context("device_target") == "CPU" and not torch.cuda.is_available()
    for call in (lambda m: m.accelerator.set_device_index(0), lambda m: m.accelerator.current_device_index()):
        with pytest.raises(RuntimeError) as theirs:
            call(torch)
        with pytest.raises(RuntimeError) as ours:
            call(mt)
        assert str(ours.value) == str(theirs.value)
    for value in ("cpu", "cuda:1", mt.device("cpu")):
        expected = torch.distributed.get_default_backend_for_device(torch.device(str(value)))
        assert mt.distributed.get_default_backend_for_device(value) == expected
    with pytest.raises(ValueError) as theirs:
        torch.distributed.get_default_backend_for_device("meta")
    with pytest.raises(ValueError) as ours:
        mt.distributed.get_default_backend_for_device("meta")
    assert str(ours.value) == str(theirs.value)
    assert mt.cuda.empty_cache() is torch.cuda.empty_cache() is None
    assert mt.cuda.set_device(-1) is torch.cuda.set_device(-1) is None
    with pytest.raises(KeyError):
        torch.cuda.memory_summary()
    with pytest.raises(KeyError):
        mt.cuda.memory_summary()
    with pytest.raises(RuntimeError, match="No CUDA GPUs"):   # torch without a device; this CPU build fails earlier
        mt.cuda.synchronize()
    assert issubclass(mt.cuda.OutOfMemoryError, RuntimeError) and issubclass(torch.cuda.OutOfMemoryError, RuntimeError)
    assert mt.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert mt.backends.cuda.matmul.allow_tf32 is torch.backends.cuda.matmul.allow_tf32 is False
    with torch.accelerator.device_index(None), mt.accelerator.device_index(None):
        pass


# ---- detach --------------------------------------------------------------------------------------
def test_detach_passes_no_gradient_as_torchs():
    w = torch.tensor(W[0], requires_grad=True)
    x = torch.tensor(XS[0])
    y = w * x
    (y.detach() * w + y).sum().backward()
    param = ms.Parameter(ms.Tensor(W[0]), name="w")

    def forward(x):
        y = param * x
        return (mt.detach(y) * param + y).sum()

    np.testing.assert_array_equal(ms.grad(forward, None, [param])(ms.Tensor(XS[0]))[0].asnumpy(), w.grad.numpy())
    kept = torch.ones(2, requires_grad=True) * 2   # any other object keeps its own detach()
    assert not mt.detach(kept).requires_grad and torch.equal(mt.detach(kept), kept.detach())
