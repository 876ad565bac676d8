"""Random hyper-parameters and 2,000-value tensors (torch's vectorised CPU path): ours vs real torch.

The training tests use tiny tensors, which torch updates element by element;
here the tensors are long enough for its vector kernels (fused multiply-adds,
non-correctly-rounded ``sqrt``). SGD stays bit-identical; Adam/AdamW agree
within two ulps of the largest update plus the rounding of the subtraction.
"""
import mindspore as ms
import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import msbridge.torch as msb_torch

N = 2000
STEPS = 3
SETTINGS = settings(max_examples=15, deadline=None)


def _run(make, seed):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(N).astype(np.float32)
    grads = [rng.standard_normal(N).astype(np.float32) for _ in range(STEPS)]
    t_param = torch.nn.Parameter(torch.from_numpy(w.copy()))
    t_opt = make(torch.optim, [t_param])
    m_param = ms.Parameter(ms.Tensor(w.copy()), name="w")
    m_opt = make(msb_torch.optim, [m_param])
    for g in grads:
        t_param.grad = torch.from_numpy(g)
        t_opt.step()
        m_opt.step((ms.Tensor(g),))
    return w, t_param.detach().numpy(), m_param.asnumpy()


@SETTINGS
@given(lr=st.floats(1e-4, 1.0), momentum=st.floats(0.0, 0.99), dampening=st.floats(0.0, 0.9),
       weight_decay=st.floats(0.0, 0.1), nesterov=st.booleans(), maximize=st.booleans(), seed=st.integers(0, 999))
def test_sgd_bit_identical(lr, momentum, dampening, weight_decay, nesterov, maximize, seed):
    if nesterov:
        momentum, dampening = max(momentum, 0.1), 0.0
    _, expected, got = _run(lambda o, p: o.SGD(p, lr=lr, momentum=momentum, dampening=dampening,
                                               weight_decay=weight_decay, nesterov=nesterov, maximize=maximize), seed)
    np.testing.assert_array_equal(got, expected)


@SETTINGS
@given(name=st.sampled_from(["Adam", "AdamW"]), lr=st.floats(1e-4, 0.1), beta1=st.floats(0.5, 0.99),
       beta2=st.floats(0.9, 0.9999), eps=st.sampled_from([1e-8, 1e-6, 1e-3]), weight_decay=st.floats(0.0, 0.1),
       amsgrad=st.booleans(), seed=st.integers(0, 999))
def test_adam_family_within_rounding(name, lr, beta1, beta2, eps, weight_decay, amsgrad, seed):
    w, expected, got = _run(lambda o, p: getattr(o, name)(p, lr=lr, betas=(beta1, beta2), eps=eps,
                                                           weight_decay=weight_decay, amsgrad=amsgrad), seed)
    moved, size = np.abs(expected - w).max(), np.abs(expected).max()
    atol = 2 * STEPS * float(np.spacing(np.float32(moved))) + float(np.spacing(np.float32(size)))
    np.testing.assert_allclose(got, expected, rtol=0, atol=atol)


def test_sgd_bit_identical_past_one_block():
    """Tensors longer than the float64 block of ``_float32.fma`` (several blocks and a partial one), real torch."""
    from msbridge.torch.optim._float32 import BLOCK

    rng = np.random.default_rng(7)
    w = rng.standard_normal(2 * BLOCK + 1001).astype(np.float32)
    grads = [rng.standard_normal(w.size).astype(np.float32) for _ in range(2)]
    t_param = torch.nn.Parameter(torch.from_numpy(w.copy()))
    t_opt = torch.optim.SGD([t_param], lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01, nesterov=False)
    m_param = ms.Parameter(ms.Tensor(w.copy()), name="w_long")
    m_opt = msb_torch.optim.SGD([m_param], lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)
    for g in grads:
        t_param.grad = torch.from_numpy(g)
        t_opt.step()
        m_opt.step((ms.Tensor(g),))
    np.testing.assert_array_equal(m_param.asnumpy(), t_param.detach().numpy())
