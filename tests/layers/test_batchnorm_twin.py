"""msbridge.torch.nn.BatchNorm1d/BatchNorm2d (torch's arguments, MindSpore's layer) against real torch.

The converter refers a class used as a value (``norm_layer = nn.BatchNorm2d``, torchvision's pattern) to these
twins, whose later calls pass torch's arguments. Same arguments on both sides, parameters copied by their
counterpart names, two training steps (outputs and running statistics) then inference compared.
"""
import mindspore
import numpy as np
import pytest
import torch

from msbridge.bridge.layer_names import TORCH_TO_MINDSPORE
from msbridge.torch import nn as twin_nn

CASES = [
    ("BatchNorm2d", {"num_features": 3}, (4, 3, 5, 5)),
    ("BatchNorm2d", {"num_features": 2, "eps": 1e-3, "momentum": 0.01}, (3, 2, 4, 4)),
    ("BatchNorm2d", {"num_features": 2, "track_running_stats": False}, (3, 2, 4, 4)),
    ("BatchNorm2d", {"num_features": 2, "affine": False}, (3, 2, 4, 4)),
    ("BatchNorm1d", {"num_features": 4, "momentum": 0.3}, (6, 4)),
]


@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_batchnorm_twin_equals_real_torch(name, kwargs, shape):
    real = getattr(torch.nn, name)(**kwargs)
    twin = getattr(twin_nn, name)(**kwargs)
    assert isinstance(twin, getattr(mindspore.nn, name)), "isinstance checks on MindSpore's class still hold"
    rng = np.random.default_rng(0)
    names = TORCH_TO_MINDSPORE[name]
    if kwargs.get("affine", True):
        for torch_name in ("weight", "bias"):
            value = rng.standard_normal(shape[1]).astype(np.float32)
            getattr(twin, names[torch_name]).set_data(mindspore.Tensor(value))
            with torch.no_grad():
                getattr(real, torch_name).copy_(torch.from_numpy(value))
    twin.set_train(True)
    real.train()
    for step in range(2):
        x = rng.standard_normal(shape).astype(np.float32) * (step + 1)
        np.testing.assert_allclose(twin(mindspore.Tensor(x)).asnumpy(), real(torch.from_numpy(x)).detach().numpy(),
                                   rtol=1e-5, atol=1e-5)
    if real.track_running_stats:
        for torch_name in ("running_mean", "running_var"):
            np.testing.assert_allclose(getattr(twin, names[torch_name]).asnumpy(),
                                       getattr(real, torch_name).numpy(), rtol=1e-5, atol=1e-6)
    twin.set_train(False)
    real.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(twin(mindspore.Tensor(x)).asnumpy(), real(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-5)


def test_batchnorm_twin_refuses_what_mindspore_cannot_compute():
    with pytest.raises(NotImplementedError):
        twin_nn.BatchNorm2d(3, momentum=None)
    with pytest.raises(NotImplementedError):
        twin_nn.BatchNorm2d(3, bias=False)
    with pytest.raises(TypeError):
        twin_nn.BatchNorm2d(3, dtype=mindspore.float16)
