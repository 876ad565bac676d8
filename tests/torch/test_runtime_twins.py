"""msbridge.torch's program twins on MindSpore against real torch, side by side.

no_grad / inference_mode (gradients through a region), gradient clipping (torch's formula and
returned norm; MindSpore's own clip_by_global_norm measured beside it), GradScaler (scale and
skipped steps on the same gradients), autocast, the device queries and manual_seed.
"""
import warnings

import mindspore as ms
import numpy as np
import pytest
import torch
from mindspore import nn as msnn
from mindspore import ops

import msbridge.torch as mt
from msbridge.torch.grads import clip_grad_norm, clip_grad_value

W = np.array([[0.5, -1.0, 2.0]], np.float32)
XS = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.25]], np.float32)


def _torch_grad(region):
    w = torch.tensor(W, requires_grad=True)
    x = torch.tensor(XS)
    a = (x @ w.T).sum()
    with region():
        b = (x @ w.T).sum() * 3
    (a + b if b.requires_grad else a + b.detach()).backward()
    return w.grad.numpy(), b.requires_grad


@pytest.mark.parametrize("torch_region,our_region", [(torch.no_grad, mt.no_grad), (torch.inference_mode, mt.inference_mode)])
def test_no_grad_regions_give_torchs_gradients(torch_region, our_region):
    net = msnn.Dense(3, 1, weight_init=ms.Tensor(W), has_bias=False)
    x = ms.Tensor(XS)

    def forward(x):
        a = net(x).sum()
        with our_region():
            b = net(x).sum() * 3
        return a + b

    ours = ms.grad(forward, None, net.trainable_params())(x)[0].asnumpy()
    theirs, tracked = _torch_grad(torch_region)
    assert not tracked
    np.testing.assert_array_equal(ours, theirs)
    # as decorators (with and without parentheses) they also cut the gradient
    cut = mt.no_grad(lambda x: net(x).sum())
    cut2 = mt.no_grad()(lambda x: net(x).sum())
    assert ms.grad(lambda x: net(x).sum() + cut(x) + cut2(x), None, net.trainable_params())(x)[0].asnumpy().tolist() \
        == ms.grad(lambda x: net(x).sum(), None, net.trainable_params())(x)[0].asnumpy().tolist()
    off = mt.inference_mode(False)   # torch's inference_mode(False) does nothing
    assert ms.grad(lambda x: off(lambda y: net(y).sum())(x), None, net.trainable_params())(x)[0].asnumpy().any()


GRADS = [np.array([[3.0, -4.0], [0.5, 1e-3]], np.float32), np.array([12.0, -0.25, 7.5], np.float32),
         np.array([[[1e-4]]], np.float32)]


@pytest.mark.parametrize("max_norm,norm_type", [(1.0, 2.0), (100.0, 2.0), (2.5, 1.0), (3.0, float("inf")), (0.7, 3.0)])
def test_clip_grad_norm_is_torchs_formula_and_returns_its_norm(max_norm, norm_type):
    params = [torch.zeros(g.shape, requires_grad=True) for g in GRADS]
    for p, g in zip(params, GRADS):
        p.grad = torch.tensor(g)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    clipped, ours = clip_grad_norm([ms.Tensor(g) for g in GRADS], max_norm, norm_type=norm_type)
    np.testing.assert_allclose(float(ours.asnumpy()), float(total), rtol=1e-6)
    for c, p in zip(clipped, params):
        np.testing.assert_allclose(c.asnumpy(), p.grad.numpy(), rtol=2e-6, atol=0)


def test_mindsporess_clip_by_global_norm_is_not_torchs():
    """Measured: MindSpore's clip_by_global_norm returns no norm and leaves gradients under the limit untouched,
    where torch multiplies by max_norm / (norm + 1e-6) (clamped to 1)."""
    grads = [ms.Tensor(g) for g in GRADS]
    params = [torch.zeros(g.shape, requires_grad=True) for g in GRADS]
    for p, g in zip(params, GRADS):
        p.grad = torch.tensor(g)
    norm = float(torch.nn.utils.clip_grad_norm_(params, 1.0))
    theirs = ops.clip_by_global_norm(tuple(grads), 1.0)
    ours, _ = clip_grad_norm(grads, 1.0)
    assert norm > 1
    mindspore_gap = max(np.abs(a.asnumpy() - p.grad.numpy()).max() for a, p in zip(theirs, params))
    our_gap = max(np.abs(a.asnumpy() - p.grad.numpy()).max() for a, p in zip(ours, params))
    assert our_gap <= mindspore_gap   # ours is torch's formula; MindSpore's differs by the 1e-6 term (or not at all)


def test_clip_grad_value_and_nonfinite_errors_match_torch():
    params = [torch.zeros(g.shape, requires_grad=True) for g in GRADS]
    for p, g in zip(params, GRADS):
        p.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_value_(params, 0.5)
    for c, p in zip(clip_grad_value([ms.Tensor(g) for g in GRADS], 0.5), params):
        np.testing.assert_array_equal(c.asnumpy(), p.grad.numpy())
    bad = np.array([np.inf, 1.0], np.float32)
    p = torch.zeros(2, requires_grad=True)
    p.grad = torch.tensor(bad)
    with pytest.raises(RuntimeError):
        torch.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError):
        clip_grad_norm([ms.Tensor(bad)], 1.0, error_if_nonfinite=True)


def test_grad_scaler_scales_skips_and_grows_as_torchs():
    """The same gradient sequence, one overflowing when scaled: torch's scale, skipped steps and weights."""
    coefs = [1.0, 2.0, 1e35, 3.0, -1.0, 0.5]
    p = torch.nn.Parameter(torch.tensor([1.0]))
    opt = torch.optim.SGD([p], lr=0.1)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 10, growth_interval=2)
    net = msnn.Dense(1, 1, weight_init="ones", has_bias=False)
    our_opt = msnn.SGD(net.trainable_params(), learning_rate=0.1)
    ours = mt.amp.GradScaler("cpu", init_scale=2.0 ** 10, growth_interval=2)
    for c in coefs:
        opt.zero_grad()
        scaler.scale((p * c).sum()).backward()
        scaler.step(opt)
        scaler.update()
        grads = ms.grad(lambda: (net.weight * c).sum(), None, our_opt.parameters)()
        ours.step(our_opt, grads)
        ours.update()
        assert ours.get_scale() == scaler.get_scale()
        np.testing.assert_allclose(net.weight.asnumpy().ravel(), p.detach().numpy(), rtol=1e-6)
    assert float(ours.scale(ms.Tensor(2.0)).asnumpy()) == float(scaler.scale(torch.tensor(2.0)))
    off = mt.amp.GradScaler(enabled=False)
    assert off.get_scale() == torch.amp.GradScaler("cpu", enabled=False).get_scale() == 1.0


def test_autocast_disabled_is_a_no_op_enabled_warns():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with mt.autocast("cpu", enabled=False):
            pass
    with pytest.warns(UserWarning, match="auto_mixed_precision"):
        with mt.amp.autocast("cpu", dtype=None):
            pass


def test_device_queries_answer_for_mindsporess_target():
    assert ms.get_context("device_target") == "CPU"
    assert mt.cuda.is_available() is False and mt.cuda.device_count() == 0
    assert mt.accelerator.is_available() is False and mt.accelerator.current_accelerator() is None
    for spec in (("cuda:1",), ("cuda", 1), ("cpu",)):
        assert str(mt.device(*spec)) == str(torch.device(*spec)) and repr(mt.device(*spec)) == repr(torch.device(*spec))
    assert mt.device(mt.device("cuda:0")) == mt.device("cuda", 0)
    for bad in (("cuda:x",), ("cuda:0", 1)):
        with pytest.raises(RuntimeError):
            torch.device(*bad)
        with pytest.raises(RuntimeError):
            mt.device(*bad)
    mt.backends.cudnn.benchmark = True
    assert mt.backends.cudnn.benchmark is True


def test_process_group_calls_before_init_fail_as_torchs():
    import msbridge.torch.distributed as our_dist
    import torch.distributed as dist
    for name in ("get_rank", "get_world_size", "barrier"):
        with pytest.raises(ValueError, match="not been initialized"):
            getattr(dist, name)()
        with pytest.raises(ValueError, match="not been initialized"):
            getattr(our_dist, name)()
    with pytest.raises(AssertionError):
        dist.destroy_process_group()
    with pytest.raises(AssertionError):
        our_dist.destroy_process_group()
    assert our_dist.is_initialized() is dist.is_initialized() is False
