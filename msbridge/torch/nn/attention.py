"""torch's ``nn.MultiheadAttention`` on MindSpore: MindSpore's own layer, called the way torch's is.

MindSpore 2.10's ``nn.MultiheadAttention`` computes what torch's does (row ``nn.MultiheadAttention``: the same
packed projection and parameter names), but its ``__call__`` reads ``args[0..2]`` before looking at the keywords,
so the calls torch code writes, ``attn(q, k, value=v, attn_mask=m)`` (DETR's transformer) or
``attn(query=q, key=k, value=v)``, raise IndexError (measured). With ``need_weights=False`` it returns
``(output,)`` where torch returns ``(output, None)``, so ``out, _ = attn(..., need_weights=False)`` fails.
This subclass binds torch's signature and passes everything to MindSpore's layer by position; its parameters
are MindSpore's (a checkpoint maps through the same row).
"""
from __future__ import annotations

import mindspore


class MultiheadAttention(mindspore.nn.MultiheadAttention):
    """MindSpore's multi-head attention, called with torch's ``forward`` signature and returning torch's pair."""

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        if dtype is not None:   # device is placement only; a dtype would change the numbers
            raise TypeError(f"msbridge's MultiheadAttention computes in float32 only, got dtype={dtype!r}")
        super().__init__(embed_dim, num_heads, dropout=dropout, has_bias=bias, add_bias_kv=add_bias_kv,
                         add_zero_attn=add_zero_attn, kdim=kdim, vdim=vdim, batch_first=batch_first)

    def __call__(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                 average_attn_weights=True, is_causal=False):
        if is_causal:
            raise NotImplementedError("MindSpore's MultiheadAttention has no is_causal: pass the causal mask as "
                                      "attn_mask (True = not allowed to attend) and is_causal=False")
        out = super().__call__(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights)
        return out if need_weights else (out[0], None)


__all__ = ["MultiheadAttention"]
