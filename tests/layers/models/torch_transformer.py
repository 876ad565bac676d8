import torch
from torch import nn


class TransformerEncoderBlock(nn.Module):
    """A post-norm Transformer encoder block (as in "Attention Is All You Need"): self-attention with a
    key padding mask, then a ReLU feed-forward net, each residual and layer-normalised."""

    def __init__(self, dim=8, heads=2, hidden=16):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm1 = nn.LayerNorm(8)
        self.ff = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, dim))
        self.norm2 = nn.LayerNorm(8)

    def forward(self, x, padding):
        attended, _ = self.attn(x, x, x, key_padding_mask=padding)
        x = self.norm1(x + attended)
        return self.norm2(x + self.ff(x))


class TextTransformer(nn.Module):
    """Token and learned position embeddings, two encoder blocks, mean pooling over the tokens, a classifier."""

    def __init__(self, vocab=20, length=3, dim=8, classes=4):
        super().__init__()
        self.tokens = nn.Embedding(vocab, dim)
        self.positions = nn.Parameter(torch.zeros(1, length, dim))
        self.blocks = nn.ModuleList([TransformerEncoderBlock(dim) for _ in range(2)])
        self.head = nn.Linear(dim, classes)

    def forward(self, ids):
        padding = ids == 0
        x = self.tokens(ids) + self.positions
        for block in self.blocks:
            x = block(x, padding)
        return self.head(x.mean(dim=1))
