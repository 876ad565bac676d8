"""Initializers across frameworks: the same distribution, drawn from the target's RNG.

msbridge.mindspore.common.initializer (torch) against real MindSpore, and msbridge.torch.nn.init
(MindSpore) against real torch: each draw is compared with the real framework's draw of the same
call by a two-sample Kolmogorov-Smirnov test (fixed seeds, so the verdict is reproducible) and by
its bounds; the deterministic initializers are compared bit for bit. The fans of a conv weight
(out, in, kh, kw) are counted alike on both sides, so a fan-dependent scale differing by the
receptive field would fail the test. Also: the layers' DEFAULT initialisations that a converted
model relies on (Dense, Conv1d/2d and their transposes draw the same distributions in both).
"""
import mindspore
import numpy as np
import pytest
import torch
from mindspore.common import initializer as ms_init
from scipy.stats import ks_2samp

from msbridge.bridge import layer_init
from msbridge.mindspore.common import initializer as twin_init
from msbridge.torch.nn import init as twin_torch_init

SHAPE = (24, 16, 3, 3)   # a conv weight: fan_in 144, fan_out 216; 3456 draws
P_MIN = 1e-3             # a KS p-value below this rejects "same distribution"

MS_CASES = [
    ("normal", None),
    ("Normal", {"sigma": 0.2, "mean": 0.1}),
    ("Uniform", {"scale": 0.3}),
    ("XavierUniform", {"gain": 2.0}),
    ("XavierNormal", {}),
    ("HeUniform", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("HeNormal", {"negative_slope": 0.2}),
    ("TruncatedNormal", {"sigma": 0.5, "mean": 0.1, "a": -0.4, "b": 0.6}),
    ("truncatedNormal", None),
    ("Orthogonal", {"gain": 2.0}),
]


def _ms_draw(init, shape=SHAPE):
    return ms_init.initializer(init, shape, mindspore.float32).init_data().asnumpy()


def _assert_same_distribution(ours, reference, name):
    ours, reference = ours.ravel(), reference.ravel()
    assert ks_2samp(ours, reference).pvalue > P_MIN
    if "uniform" in name.lower() or name in ("TruncatedNormal", "trunc_normal_"):   # bounds inside the mass
        span = reference.max() - reference.min()
        assert abs(ours.min() - reference.min()) < 0.01 * span and abs(ours.max() - reference.max()) < 0.01 * span


def _both(name, kwargs):
    if kwargs is None:   # a string alias
        return name, name
    return getattr(ms_init, name)(**kwargs), getattr(twin_init, name)(**kwargs)


@pytest.mark.parametrize("name,kwargs", MS_CASES, ids=[c[0] for c in MS_CASES])
def test_mindspore_initializer_on_torch(name, kwargs):
    mindspore.set_seed(1)
    torch.manual_seed(1)
    real, ours = _both(name, kwargs)
    reference = _ms_draw(real)
    drawn = twin_init.initializer(ours, SHAPE, torch.float32)
    assert drawn.dtype == torch.float32 and tuple(drawn.shape) == SHAPE
    _assert_same_distribution(drawn.numpy(), reference, name)
    if name == "Orthogonal":
        for w in (reference, drawn.numpy()):
            flat = w.reshape(SHAPE[0], -1)
            np.testing.assert_allclose(flat @ flat.T, 4.0 * np.eye(SHAPE[0]), atol=1e-4)


@pytest.mark.parametrize("init", ["zeros", "ones", 0.25, "Zero", "One", "Constant"])
def test_mindspore_deterministic_initializers_bit_exact(init):
    if init in ("Zero", "One", "Constant"):
        args = (0.3,) if init == "Constant" else ()
        real, ours = getattr(ms_init, init)(*args), getattr(twin_init, init)(*args)
    else:
        real = ours = init
    np.testing.assert_array_equal(twin_init.initializer(ours, (3, 4)).numpy(), _ms_draw(real, (3, 4)))


def test_mindspore_initializer_bad_input_same_errors():
    for bad in ("no_such_init", (1, 0)):
        init, shape = (bad, (2, 2)) if isinstance(bad, str) else ("ones", bad)
        with pytest.raises(ValueError):
            ms_init.initializer(init, shape)
        with pytest.raises(ValueError):
            twin_init.initializer(init, shape)
    with pytest.raises(TypeError):
        ms_init.initializer([1.0], (1,))
    with pytest.raises(TypeError):
        twin_init.initializer([1.0], (1,))


def test_initialize_fills_a_torch_parameter_in_place():
    layer = torch.nn.Conv1d(3, 4, 1)
    assert layer_init.initialize_(layer.bias, "zeros") is layer.bias
    assert torch.all(layer.bias == 0)
    assert layer_init.initialize_(None, "normal") is None   # a bias switched off


TORCH_CASES = [
    ("uniform_", {"a": -0.5, "b": 1.5}),
    ("normal_", {"mean": 0.3, "std": 2.0}),
    ("trunc_normal_", {"std": 0.5, "a": -0.4, "b": 0.6}),
    ("xavier_uniform_", {"gain": 2.0}),
    ("xavier_normal_", {}),
    ("kaiming_uniform_", {"mode": "fan_out"}),
    ("kaiming_normal_", {"a": 0.2, "mode": "fan_out", "nonlinearity": "relu"}),
    ("orthogonal_", {"gain": 2.0}),
]


@pytest.mark.parametrize("name,kwargs", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_torch_init_on_mindspore(name, kwargs):
    mindspore.set_seed(1)
    torch.manual_seed(1)
    reference = getattr(torch.nn.init, name)(torch.empty(SHAPE), **kwargs).numpy()
    param = mindspore.Parameter(mindspore.Tensor(np.zeros(SHAPE, np.float32)), name="w")
    assert getattr(twin_torch_init, name)(param, **kwargs) is param
    _assert_same_distribution(param.asnumpy(), reference, name)


@pytest.mark.parametrize("name,args", [("zeros_", ()), ("ones_", ()), ("constant_", (0.3,))])
def test_torch_deterministic_init_bit_exact(name, args):
    reference = getattr(torch.nn.init, name)(torch.empty(3, 4), *args).numpy()
    param = mindspore.Parameter(mindspore.Tensor(np.full((3, 4), 7, np.float32)), name="w")
    np.testing.assert_array_equal(getattr(twin_torch_init, name)(param, *args).asnumpy(), reference)


def test_torch_init_bad_input_same_errors():
    one_d = mindspore.Parameter(mindspore.Tensor(np.zeros(3, np.float32)), name="b")
    for name in ("xavier_uniform_", "kaiming_normal_", "orthogonal_"):
        with pytest.raises(ValueError):
            getattr(torch.nn.init, name)(torch.empty(3))
        with pytest.raises(ValueError):
            getattr(twin_torch_init, name)(one_d)
    with pytest.raises(ValueError):
        torch.nn.init.kaiming_uniform_(torch.empty(3, 3), mode="fan_avg")
    with pytest.raises(ValueError):
        twin_torch_init.kaiming_uniform_(mindspore.Parameter(mindspore.Tensor(np.zeros((3, 3), np.float32))),
                                         mode="fan_avg")


DEFAULT_LAYERS = [   # (MindSpore layer, torch layer): parameters drawn by default, compared by name
    (lambda: mindspore.nn.Dense(96, 400), lambda: torch.nn.Linear(96, 400)),
    (lambda: mindspore.nn.Conv2d(16, 400, 3, has_bias=True), lambda: torch.nn.Conv2d(16, 400, 3)),
    (lambda: mindspore.nn.Conv1d(16, 400, 3, has_bias=True), lambda: torch.nn.Conv1d(16, 400, 3)),
    (lambda: mindspore.nn.Conv2dTranspose(24, 400, 4, has_bias=True), lambda: torch.nn.ConvTranspose2d(24, 400, 4)),
]


@pytest.mark.parametrize("index", range(len(DEFAULT_LAYERS)))
def test_layer_default_initialisation_is_the_same_distribution(index):
    mindspore.set_seed(2)
    torch.manual_seed(2)
    make_ms, make_torch = DEFAULT_LAYERS[index]
    ms_layer, torch_layer = make_ms(), make_torch()
    ms_params = {n.rsplit(".", 1)[-1]: p.asnumpy() for n, p in ms_layer.parameters_and_names()}
    for name, value in torch_layer.named_parameters():
        reference = ms_params[name]
        ours = value.detach().numpy()
        assert ks_2samp(ours.ravel(), reference.ravel()).pvalue > P_MIN, name
        bound = np.abs(ours).max()   # uniform on both sides: the same bound, to the sampling's precision
        assert abs(np.abs(reference).max() - bound) < 0.02 * bound, name


MS_INIT_MODEL = '''import mindspore.nn as nn
from mindspore.common.initializer import Normal


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(16, 400, 1, has_bias=True, bias_init="normal")
        self.dense = nn.Dense(40, 100, weight_init=Normal(0.5, 0.2), bias_init="zeros")
        self.embed = nn.Embedding(100, 40)
'''
TORCH_INIT_MODEL = '''import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(100, 40)
'''


def _import(path, name):
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("source,code", [("mindspore", MS_INIT_MODEL), ("torch", TORCH_INIT_MODEL)], ids=["mindspore", "torch"])
def test_converted_model_initialises_as_the_original(tmp_path, source, code):
    """weight_init=/bias_init= and Embedding's default (N(0, 0.01^2) vs N(0, 1)) survive conversion."""
    from msbridge.convert.source import convert_source
    target = "torch" if source == "mindspore" else "mindspore"
    converted, report = convert_source(code, target)
    assert "# msbridge:" not in converted, converted
    (tmp_path / "orig.py").write_text(code)
    (tmp_path / "conv.py").write_text(converted)
    mindspore.set_seed(3)
    torch.manual_seed(3)
    original = _import(tmp_path / "orig.py", f"orig_init_{source}").Net()
    ours = _import(tmp_path / "conv.py", f"conv_init_{source}").Net()

    def params(net, framework):
        if framework == "torch":
            return {n: p.detach().numpy() for n, p in net.named_parameters()}
        return {n: p.asnumpy() for n, p in net.parameters_and_names()}
    names = {"conv.weight": "conv.weight", "conv.bias": "conv.bias", "dense.weight": "dense.weight",
             "dense.bias": "dense.bias", "embed.embedding_table": "embed.weight"}
    if source == "torch":
        names = {v: k for k, v in names.items()}
    reference, drawn = params(original, source), params(ours, target)
    assert len(reference) == len(drawn)
    for name, value in reference.items():
        mine = drawn[names[name]]
        if np.all(value == value.flat[0]):
            np.testing.assert_array_equal(mine, value, err_msg=name)
            continue
        assert ks_2samp(mine.ravel(), value.ravel()).pvalue > P_MIN, name
