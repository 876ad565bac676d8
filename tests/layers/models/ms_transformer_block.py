from mindspore import nn


class EncoderBlock(nn.Cell):
    """A post-norm Transformer encoder block: multi-head self-attention and a feed-forward net, each residual."""

    def __init__(self, dim=8, heads=2, hidden=16):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, heads, dropout=0.0, batch_first=True)
        self.norm1 = nn.LayerNorm((8,), epsilon=1e-5)
        self.fc1 = nn.Dense(dim, hidden)
        self.act = nn.GELU(approximate=False)
        self.drop = nn.Dropout(p=0.0)
        self.fc2 = nn.Dense(hidden, dim)
        self.norm2 = nn.LayerNorm((8,), epsilon=1e-5)

    def construct(self, x):
        x = self.norm1(x + self.attn(x, x, x)[0])
        return self.norm2(x + self.fc2(self.drop(self.act(self.fc1(x)))))
