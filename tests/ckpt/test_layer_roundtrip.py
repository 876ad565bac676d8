"""Every layer with a parameter map: train in framework A, save, convert, load into B, compare.

Eval-mode outputs of the converted model equal the original's (within the layer's tolerance),
and converting back gives tensors bit-identical to the original file's, read back by the
real framework. The specs below must cover every [[layer]] of the tables (checked).
"""
import numpy as np
import pytest

ms = pytest.importorskip("mindspore")
torch = pytest.importorskip("torch")
from mindspore import nn as msnn  # noqa: E402

from msbridge.bridge.checkpoint import convert_file, load_checkpoint_into  # noqa: E402
from msbridge.tables.param_maps import load_param_maps  # noqa: E402

tnn = torch.nn
RTOL, ATOL = 1e-5, 2e-6  # float32 kernels sum in different orders (conv, recurrent cells); atol scales with |output|

# layer id -> (MindSpore builder, torch builder, input shape, integer input range or None)
SPECS = {
    "nn.Dense": (lambda: msnn.Dense(4, 3), lambda: tnn.Linear(4, 3), (2, 4), None),
    "nn.Embedding": (lambda: msnn.Embedding(5, 3), lambda: tnn.Embedding(5, 3), (2, 4), 5),
    "nn.Conv1d": (lambda: msnn.Conv1d(2, 3, 3, pad_mode="pad", padding=1, has_bias=True),
                  lambda: tnn.Conv1d(2, 3, 3, padding=1), (2, 2, 6), None),
    "nn.Conv2d": (lambda: msnn.Conv2d(2, 3, 3, pad_mode="pad", padding=1, has_bias=True),
                  lambda: tnn.Conv2d(2, 3, 3, padding=1), (2, 2, 5, 5), None),
    "nn.Conv3d": (lambda: msnn.Conv3d(2, 3, 3, pad_mode="pad", padding=1, has_bias=True),
                  lambda: tnn.Conv3d(2, 3, 3, padding=1), (1, 2, 4, 4, 4), None),
    "nn.Conv1dTranspose": (lambda: msnn.Conv1dTranspose(2, 3, 3, pad_mode="valid", has_bias=True),
                           lambda: tnn.ConvTranspose1d(2, 3, 3), (2, 2, 5), None),
    "nn.Conv2dTranspose": (lambda: msnn.Conv2dTranspose(2, 3, 3, pad_mode="valid", has_bias=True),
                           lambda: tnn.ConvTranspose2d(2, 3, 3), (2, 2, 4, 4), None),
    "nn.Conv3dTranspose": (lambda: msnn.Conv3dTranspose(2, 3, 3, pad_mode="valid", has_bias=True),
                           lambda: tnn.ConvTranspose3d(2, 3, 3), (1, 2, 3, 3, 3), None),
    "nn.BatchNorm1d": (lambda: msnn.BatchNorm1d(3), lambda: tnn.BatchNorm1d(3), (4, 3), None),
    "nn.BatchNorm2d": (lambda: msnn.BatchNorm2d(3), lambda: tnn.BatchNorm2d(3), (2, 3, 4, 4), None),
    "nn.BatchNorm3d": (lambda: msnn.BatchNorm3d(3), lambda: tnn.BatchNorm3d(3), (2, 3, 2, 3, 3), None),
    "nn.LayerNorm": (lambda: msnn.LayerNorm((3,), epsilon=1e-5), lambda: tnn.LayerNorm(3), (2, 4, 3), None),
    "nn.GroupNorm": (lambda: msnn.GroupNorm(2, 4), lambda: tnn.GroupNorm(2, 4), (2, 4, 3, 3), None),
    "nn.PReLU": (lambda: msnn.PReLU(3), lambda: tnn.PReLU(3), (2, 3, 4), None),
    "nn.LSTM": (lambda: msnn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True),
                lambda: tnn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True), (2, 5, 3), None),
    "nn.GRU": (lambda: msnn.GRU(3, 4, batch_first=True), lambda: tnn.GRU(3, 4, batch_first=True), (2, 5, 3), None),
    "nn.RNN": (lambda: msnn.RNN(3, 4, batch_first=True), lambda: tnn.RNN(3, 4, batch_first=True), (2, 5, 3), None),
    "nn.LSTMCell": (lambda: _zero_state(msnn.LSTMCell, pair=True)(3, 4), lambda: tnn.LSTMCell(3, 4), (2, 3), None),
    "nn.GRUCell": (lambda: _zero_state(msnn.GRUCell)(3, 4), lambda: tnn.GRUCell(3, 4), (2, 3), None),
    "nn.RNNCell": (lambda: _zero_state(msnn.RNNCell)(3, 4), lambda: tnn.RNNCell(3, 4), (2, 3), None),
    "nn.MultiheadAttention": (lambda: _MsSelfAttention(8, 2, batch_first=True),
                              lambda: _PtSelfAttention(8, 2, batch_first=True), (2, 3, 8), None),
}


class _MsSelfAttention(msnn.MultiheadAttention):
    """Self-attention on one input (the specs feed one tensor), returning the attention output.
    MindSpore's MultiheadAttention.__call__ reads query, key and value positionally: override it."""
    def __call__(self, x):
        return super().__call__(x, x, x)[0]


class _PtSelfAttention(tnn.MultiheadAttention):
    def forward(self, x):
        return super().forward(x, x, x)[0]


def _zero_state(cell_class, pair=False):
    """MindSpore's recurrent cells require hx (torch's default it to zeros): a subclass that passes zeros."""
    class ZeroState(cell_class):
        def construct(self, x):
            h = ms.ops.zeros((x.shape[0], self.hidden_size), x.dtype)
            return super().construct(x, (h, h) if pair else h)
    return ZeroState


def test_every_layer_with_a_parameter_map_has_a_roundtrip_spec():
    assert {layer.id for layer in load_param_maps()} == set(SPECS)


def _input(shape, int_range, seed):
    rng = np.random.RandomState(seed)
    if int_range:
        return rng.randint(0, int_range, size=shape).astype(np.int32)
    return rng.randn(*shape).astype(np.float32)


def _assert_close(ours, reference):
    np.testing.assert_allclose(ours, reference, rtol=RTOL, atol=ATOL * max(1.0, float(np.abs(reference).max())))


def _first(out):
    return out[0] if isinstance(out, tuple) else out


def _ms_net(build):
    return msnn.SequentialCell([build()])


def _pt_net(build):
    return tnn.Sequential(build())


def _ms_out(net, x):
    net.set_train(False)
    return _first(net(ms.Tensor(x))).asnumpy()


def _pt_out(net, x):
    net.eval()
    with torch.no_grad():
        return _first(net(torch.tensor(x, dtype=torch.int64 if x.dtype == np.int32 else torch.float32))).numpy()


def _train_ms(net, x, steps=1):
    net.set_train(True)
    weights = net.trainable_params()
    grad = ms.value_and_grad(lambda inp: _first(net(inp)).astype(ms.float32).pow(2).sum(), None, weights)
    for _ in range(steps):
        _, grads = grad(ms.Tensor(x))
        for p, g in zip(weights, grads):
            p.set_data(p - 0.05 * g)


def _train_pt(net, x, steps=1):
    net.train()  # plain SGD by hand: torch.optim's first import costs seconds
    for _ in range(steps):
        net.zero_grad()
        out = _first(net(torch.tensor(x, dtype=torch.int64 if x.dtype == np.int32 else torch.float32)))
        out.pow(2).sum().backward()
        with torch.no_grad():
            for p in net.parameters():
                p -= 0.05 * p.grad


def _ms_tensors(path):
    return {k: v.asnumpy() if str(v.dtype) != "BFloat16" else v.float().asnumpy()
            for k, v in ms.load_checkpoint(str(path)).items()}


@pytest.mark.parametrize("layer_id", sorted(SPECS))
def test_mindspore_to_torch_and_back(layer_id, tmp_path):
    ms_build, pt_build, shape, int_range = SPECS[layer_id]
    ms.set_seed(0)
    original = _ms_net(ms_build)
    _train_ms(original, _input(shape, int_range, 1))
    ms.save_checkpoint(original, str(tmp_path / "a.ckpt"))

    converted = _pt_net(pt_build)
    convert_file(tmp_path / "a.ckpt", tmp_path / "a.pt", model=converted)
    converted.load_state_dict(torch.load(tmp_path / "a.pt", weights_only=True))
    x = _input(shape, int_range, 2)
    _assert_close(_pt_out(converted, x), _ms_out(original, x))

    convert_file(tmp_path / "a.pt", tmp_path / "back.ckpt", model=_ms_net(ms_build))
    before, after = _ms_tensors(tmp_path / "a.ckpt"), _ms_tensors(tmp_path / "back.ckpt")
    assert before.keys() == after.keys()
    for name in before:
        assert before[name].dtype == after[name].dtype and before[name].shape == after[name].shape, name
        assert before[name].tobytes() == after[name].tobytes(), name


@pytest.mark.parametrize("layer_id", sorted(SPECS))
def test_torch_to_mindspore_and_back(layer_id, tmp_path):
    ms_build, pt_build, shape, int_range = SPECS[layer_id]
    torch.manual_seed(0)
    original = _pt_net(pt_build)
    _train_pt(original, _input(shape, int_range, 1))
    torch.save(original.state_dict(), tmp_path / "a.pt")

    converted = _ms_net(ms_build)
    load_checkpoint_into(converted, tmp_path / "a.pt")
    x = _input(shape, int_range, 2)
    _assert_close(_ms_out(converted, x), _pt_out(original, x))

    convert_file(tmp_path / "a.pt", tmp_path / "a.ckpt", model=_ms_net(ms_build))
    convert_file(tmp_path / "a.ckpt", tmp_path / "back.pt", model=_pt_net(pt_build))
    before = torch.load(tmp_path / "a.pt", weights_only=True)
    after = torch.load(tmp_path / "back.pt", weights_only=True)
    assert before.keys() == after.keys()
    for name, value in before.items():
        if name.endswith("num_batches_tracked"):  # MindSpore keeps no count: recreated as 0
            assert after[name].dtype == torch.int64 and after[name].item() == 0 and value.item() == 1
            continue
        assert after[name].dtype == value.dtype and torch.equal(after[name], value), name
