"""msbridge.torch.nn.functional.scaled_dot_product_attention (MindSpore ops) against the real torch function.

Same inputs on both sides; outputs and the gradients of query, key and value compared to float32
rounding, for a boolean mask (True = take part), an additive float mask, is_causal, an explicit scale,
grouped-query heads, and a query whose every key is masked out (zeros in torch 2.13 on CPU).
"""
import mindspore
import numpy as np
import pytest
import torch

from msbridge.torch.nn import functional as twin

RTOL = 1e-5
CASES = {  # name -> (query, key, value shapes, keyword arguments; "mask" is built from the case)
    "bool mask, batch of heads": ((1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4), {"attn_mask": "bool"}),
    "float mask, scale, value width": ((2, 3, 4), (2, 5, 4), (2, 5, 3), {"attn_mask": "float", "scale": 0.3}),
    "causal": ((1, 2, 4, 4), (1, 2, 4, 4), (1, 2, 4, 2), {"is_causal": True}),
    "grouped query heads": ((1, 4, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4), {"enable_gqa": True}),
    "a query with no key": ((1, 3, 4), (1, 5, 4), (1, 5, 4), {"attn_mask": "empty row"}),
}


def _mask(kind, shape, rng):
    if kind == "float":
        return rng.standard_normal(shape).astype(np.float32)
    mask = rng.uniform(size=shape) < 0.6
    mask[..., 0] = True
    if kind == "empty row":
        mask[..., 1, :] = False
    return mask


@pytest.mark.parametrize("case", list(CASES))
def test_twin_equals_torch(case):
    q_shape, k_shape, v_shape, kwargs = CASES[case]
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in (q_shape, k_shape, v_shape)]
    kwargs = dict(kwargs)
    if "attn_mask" in kwargs:
        kwargs["attn_mask"] = _mask(kwargs["attn_mask"], (q_shape[-2], k_shape[-2]), rng)
    torch_kwargs = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    ms_kwargs = {k: mindspore.Tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}

    tensors = [torch.from_numpy(a).requires_grad_(True) for a in arrays]
    ref = torch.nn.functional.scaled_dot_product_attention(*tensors, **torch_kwargs)
    cot = np.sin(np.arange(ref.numel()) * 0.7).reshape(ref.shape).astype(np.float32) + 1.5
    (ref * torch.from_numpy(cot)).sum().backward()

    def forward(q, k, v):
        out = twin.scaled_dot_product_attention(q, k, v, **ms_kwargs)
        return (out * mindspore.Tensor(cot)).sum(), out

    (_, ours), grads = mindspore.value_and_grad(forward, (0, 1, 2), has_aux=True)(
        *[mindspore.Tensor(a) for a in arrays])
    reference = ref.detach().numpy()
    np.testing.assert_allclose(ours.asnumpy(), reference, rtol=RTOL, atol=RTOL * np.abs(reference).max())
    for name, ours_grad, t in zip("qkv", grads, tensors):
        expected = t.grad.numpy()
        np.testing.assert_allclose(ours_grad.asnumpy(), expected, rtol=RTOL, atol=RTOL * np.abs(expected).max(),
                                   err_msg=f"gradient of {name}")


def test_causal_with_a_mask_is_refused_not_guessed():
    x = mindspore.Tensor(np.zeros((1, 2, 4), np.float32))
    with pytest.raises(NotImplementedError, match="is_causal"):
        twin.scaled_dot_product_attention(x, x, x, attn_mask=mindspore.Tensor(np.ones((2, 2), bool)), is_causal=True)
