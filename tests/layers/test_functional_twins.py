"""msbridge.torch functional twins (pooling, resizing, padding, dropout, layer_norm, arange, meshgrid,
einsum) against the real torch functions they imitate: outputs and input gradients, same inputs."""
import mindspore
import numpy as np
import pytest
import torch

import msbridge.torch as twin
import msbridge.torch.nn.functional as TF

RTOL = 1e-5
TORCH_F = torch.nn.functional
# (name, torch function, twin function, input shapes, positional args after the inputs, keyword args)
CASES = [
    ("avg_pool2d", TORCH_F.avg_pool2d, TF.avg_pool2d, [(2, 3, 8, 8)], (4,), {}),
    ("avg_pool2d-pad", TORCH_F.avg_pool2d, TF.avg_pool2d, [(1, 2, 7, 7)], (), dict(kernel_size=3, stride=1, padding=1)),
    ("avg_pool2d-ceil", TORCH_F.avg_pool2d, TF.avg_pool2d, [(1, 2, 7, 7)], (3, 2), dict(ceil_mode=True, count_include_pad=False)),
    ("max_pool2d", TORCH_F.max_pool2d, TF.max_pool2d, [(2, 3, 8, 8)], (), dict(kernel_size=3, stride=2, padding=1)),
    ("max_pool2d-default-stride", TORCH_F.max_pool2d, TF.max_pool2d, [(1, 2, 6, 6)], (2,), {}),
    ("adaptive_avg_pool2d", TORCH_F.adaptive_avg_pool2d, TF.adaptive_avg_pool2d, [(2, 3, 6, 6)], (1,), {}),
    ("adaptive_avg_pool2d-tuple", TORCH_F.adaptive_avg_pool2d, TF.adaptive_avg_pool2d, [(1, 2, 6, 9)], ((2, 3),), {}),
    ("interpolate-size", TORCH_F.interpolate, TF.interpolate, [(1, 2, 4, 5)], (), dict(size=(8, 7))),
    ("interpolate-scale", TORCH_F.interpolate, TF.interpolate, [(1, 2, 3, 4)], (), dict(scale_factor=2)),
    ("interpolate-bilinear", TORCH_F.interpolate, TF.interpolate, [(1, 2, 3, 4)], (),
     dict(size=(6, 9), mode="bilinear", align_corners=False)),
    ("pad", TORCH_F.pad, TF.pad, [(1, 2, 3, 4)], ([1, 2, 0, 3],), {}),
    ("pad-value", TORCH_F.pad, TF.pad, [(2, 3, 4)], ((0, 1),), dict(value=2.5)),
    ("dropout-eval", TORCH_F.dropout, TF.dropout, [(3, 4)], (0.5,), dict(training=False)),
    ("dropout-p0", TORCH_F.dropout, TF.dropout, [(3, 4)], (), dict(p=0.0)),
    ("dropout-p1", TORCH_F.dropout, TF.dropout, [(3, 4)], (), dict(p=1.0)),
    ("layer_norm", TORCH_F.layer_norm, TF.layer_norm, [(2, 3, 4), (4,), (4,)], (), {}),
    ("layer_norm-2d", TORCH_F.layer_norm, TF.layer_norm, [(2, 3, 4)], ((3, 4),), dict(eps=1e-3)),
    ("normalize", TORCH_F.normalize, TF.normalize, [(4, 5)], (), {}),
    ("normalize-dim-eps", TORCH_F.normalize, TF.normalize, [(2, 3, 4)], (), dict(dim=-1, eps=1e-3)),
    ("normalize-p1", TORCH_F.normalize, TF.normalize, [(3, 6)], (), dict(p=1, dim=0)),
    ("normalize-p3", TORCH_F.normalize, TF.normalize, [(3, 6)], (3.0,), {}),
    ("einsum-attn", torch.einsum, twin.einsum, [(2, 3, 4, 5), (2, 3, 6, 5)], (), {}),
    ("einsum-rel", torch.einsum, twin.einsum, [(2, 3, 4, 5), (3, 6, 5)], (), {}),
    ("einsum-ellipsis", torch.einsum, twin.einsum, [(2, 3, 4), (4, 5)], (), {}),
    ("einsum-outer-sum", torch.einsum, twin.einsum, [(3, 4), (5,)], (), {}),
    ("einsum-implicit", torch.einsum, twin.einsum, [(3, 4), (4, 2)], (), {}),
]
EQUATIONS = {"einsum-attn": "bhqd,bhkd->bhqk", "einsum-rel": "bhwc,hkc->bhwk", "einsum-ellipsis": "...ij,jk->...ik",
             "einsum-outer-sum": "ij,k->jk", "einsum-implicit": "ij,jk"}
LAYER_NORM_ARGS = {"layer_norm": lambda xs: ((4,), xs[1], xs[2])}


def _call(name, fn, xs, args, kwargs):
    if name in EQUATIONS:
        return fn(EQUATIONS[name], *xs)
    if name in LAYER_NORM_ARGS:
        return fn(xs[0], *LAYER_NORM_ARGS[name](xs), **kwargs)
    return fn(xs[0], *args, **kwargs)


@pytest.mark.parametrize("name,torch_fn,twin_fn,shapes,args,kwargs", CASES, ids=[c[0] for c in CASES])
def test_functional_twin_equals_torch(name, torch_fn, twin_fn, shapes, args, kwargs):
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    tx = [torch.tensor(a, requires_grad=True) for a in arrays]
    ref = _call(name, torch_fn, tx, args, kwargs)
    cot = rng.standard_normal(tuple(ref.shape)).astype(np.float32)
    (ref * torch.tensor(cot)).sum().backward()

    def loss(*xs):
        out = _call(name, twin_fn, list(xs), args, kwargs)
        return (out * mindspore.Tensor(cot)).sum(), out

    grad_fn = mindspore.value_and_grad(loss, grad_position=tuple(range(len(arrays))), has_aux=True)
    (_, ours), grads = grad_fn(*[mindspore.Tensor(a) for a in arrays])
    assert tuple(ours.shape) == tuple(ref.shape) and str(ours.dtype).lower() == str(ref.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.asnumpy(), ref.detach().numpy(), rtol=RTOL, atol=1e-5)
    grads = grads if isinstance(grads, tuple) else (grads,)
    for g, t in zip(grads, tx):
        np.testing.assert_allclose(g.asnumpy(), t.grad.numpy(), rtol=RTOL, atol=1e-5)


def test_dropout_twin_statistics_in_training():
    n, p = 20000, 0.3
    out = TF.dropout(mindspore.Tensor(np.ones(n, np.float32)), p=p).asnumpy()   # torch's default: training=True
    kept = out != 0
    assert np.allclose(out[kept], 1 / (1 - p), rtol=1e-6)
    assert abs(kept.mean() - (1 - p)) < 4 * np.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize("args,kwargs", [((5,), {}), ((0, 7, 2), {}), ((-3, 4), {}), ((0, 1, 0.25), {}),
                                         ((0, 6, 2), {"dtype": "float32"}), ((2.0, 5), {})])
def test_arange_twin_equals_torch(args, kwargs):
    ref = torch.arange(*args, **{k: getattr(torch, v) for k, v in kwargs.items()})
    ours = twin.arange(*args, **{k: getattr(mindspore, v) for k, v in kwargs.items()})
    assert str(ours.dtype).lower() == str(ref.dtype).split(".")[-1]
    np.testing.assert_array_equal(ours.asnumpy(), ref.numpy())


@pytest.mark.parametrize("indexing", [None, "ij", "xy"])
def test_meshgrid_twin_equals_torch(indexing):
    a, b = np.arange(3), np.arange(4) * 10
    kw = {} if indexing is None else {"indexing": indexing}
    ref = torch.meshgrid(torch.tensor(a), torch.tensor(b), **kw)
    ours = twin.meshgrid(mindspore.Tensor(a), mindspore.Tensor(b), **kw)
    for o, r in zip(ours, ref):
        np.testing.assert_array_equal(o.asnumpy(), r.numpy())


def test_factory_kwargs_is_empty_for_placement_and_float32_and_refuses_other_dtypes():
    from msbridge.bridge.factory_kwargs import factory_kwargs
    assert factory_kwargs(device=None, dtype=None) == {} and factory_kwargs(device="cuda", dtype=mindspore.float32) == {}
    with pytest.raises(NotImplementedError, match="float32"):
        factory_kwargs(device=None, dtype=mindspore.float16)


def test_normalize_twin_keeps_a_zero_vector_zero_with_a_zero_gradient():
    # torch: the clamp stops the norm's gradient, so a zero row has gradient 0 (sqrt'(0) would give NaN)
    x = np.zeros((2, 3), np.float32)
    x[1] = [3.0, 4.0, 0.0]
    tx = torch.tensor(x, requires_grad=True)
    torch.nn.functional.normalize(tx).sum().backward()
    mx = mindspore.Tensor(x)
    out, grad = mindspore.value_and_grad(lambda v: TF.normalize(v).sum())(mx)
    assert np.array_equal(tx.grad.numpy()[0], grad.asnumpy()[0]) and not np.isnan(grad.asnumpy()).any()
    np.testing.assert_allclose(grad.asnumpy(), tx.grad.numpy(), rtol=RTOL, atol=1e-6)
