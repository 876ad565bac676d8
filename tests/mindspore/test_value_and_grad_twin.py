"""msbridge.mindspore.value_and_grad (torch) against MindSpore's own, on the same function and values.

Each case builds the function twice, once with MindSpore Parameters and tensors, once with torch's, and compares
the returned value and every gradient (MindSpore 2.10's structure: a tensor, a tuple, or (inputs', weights')).
"""
import mindspore
import numpy as np
import pytest
import torch

from msbridge.mindspore import value_and_grad as twin_value_and_grad

W, U = np.array([1.0, 2.0], np.float32), np.array([5.0], np.float32)
X, Y = np.array([3.0, 4.0], np.float32), np.array([0.5, 0.25], np.float32)


def _function(framework):
    """(fn, w, u) with fn(a, b) -> (scalar, aux) reading parameter w (u unused)."""
    if framework == "mindspore":
        w = mindspore.Parameter(mindspore.Tensor(W), name="w")
        u = mindspore.Parameter(mindspore.Tensor(U), name="u")
    else:
        w, u = torch.nn.Parameter(torch.tensor(W)), torch.nn.Parameter(torch.tensor(U))

    def fn(a, b):
        return (a * w * b).sum(), a * 2
    return fn, w, u


CASES = [   # (grad_position, which weights, has_aux)
    (0, None, False), (0, None, True), ((0, 1), None, True), (None, "list", True), (None, "single", True),
    (1, "list1", True), (None, "list", False),
]


def _weights(which, w, u):
    return {None: None, "list": [w, u], "single": w, "list1": [w]}[which]


def _numpy(value):
    if isinstance(value, (tuple, list)):
        return type(value)(_numpy(v) for v in value)
    return value.asnumpy() if isinstance(value, mindspore.Tensor) else value.numpy()


def _assert_same(ours, theirs):
    assert type(ours) is type(theirs) or (isinstance(ours, np.ndarray) and isinstance(theirs, np.ndarray))
    if isinstance(ours, tuple):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _assert_same(a, b)
    else:
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("position,which,has_aux", CASES)
def test_value_and_grad_twin_equals_mindspore(position, which, has_aux):
    fn, w, u = _function("mindspore")
    value, grads = mindspore.value_and_grad(fn, position, _weights(which, w, u), has_aux=has_aux)(
        mindspore.Tensor(X), mindspore.Tensor(Y))
    tfn, tw, tu = _function("torch")
    tvalue, tgrads = twin_value_and_grad(tfn, position, _weights(which, tw, tu), has_aux=has_aux)(
        torch.tensor(X), torch.tensor(Y))
    _assert_same(_numpy(tgrads), _numpy(grads))
    _assert_same(_numpy(tvalue), _numpy(value))
    assert tw.grad is None   # MindSpore's functional gradient does not accumulate anywhere


def test_value_and_grad_twin_default_position_and_a_non_scalar_output():
    w = np.array([1.0, 2.0], np.float32)
    ms_w = mindspore.Tensor(w)
    _, grad = mindspore.value_and_grad(lambda a: a * ms_w)(mindspore.Tensor(X))
    _, tgrad = twin_value_and_grad(lambda a: a * torch.tensor(w))(torch.tensor(X))
    np.testing.assert_array_equal(tgrad.numpy(), grad.asnumpy())   # seeded with ones, as MindSpore
    with torch.no_grad():   # MindSpore computes gradients whatever torch's grad mode is
        _, tgrad = twin_value_and_grad(lambda a: (a * a).sum())(torch.tensor(X))
    np.testing.assert_array_equal(tgrad.numpy(), 2 * X)


def test_value_and_grad_twin_refuses_what_it_cannot_give():
    with pytest.raises(ValueError):
        twin_value_and_grad(lambda a: a, None, None)
    with pytest.raises(NotImplementedError):
        twin_value_and_grad(lambda a: a, 0, None, return_ids=True)
    with pytest.raises(TypeError):
        twin_value_and_grad(lambda a: a.sum(), 0, None, has_aux=True)(torch.tensor(X))


@pytest.mark.parametrize("clip_norm", [0.5, 1.0, 100.0])
def test_clip_by_global_norm_twin_equals_mindspore(clip_norm):
    from msbridge.mindspore.ops import clip_by_global_norm

    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal(shape).astype(np.float32) for shape in [(3, 4), (4,), (2, 2, 2), (50,)]]
    theirs = mindspore.ops.clip_by_global_norm(tuple(mindspore.Tensor(a) for a in arrays), clip_norm)
    ours = clip_by_global_norm(tuple(torch.tensor(a) for a in arrays), clip_norm)
    assert isinstance(ours, tuple) and len(ours) == len(theirs)
    for a, b in zip(ours, theirs):   # float32 sums may round one ulp apart
        np.testing.assert_allclose(a.numpy(), b.asnumpy(), rtol=1e-6, atol=1e-7)
