from torch import nn


class EncoderBlock(nn.Module):
    """A post-norm Transformer encoder block: multi-head self-attention and a feed-forward net, each residual."""

    def __init__(self, dim=8, heads=2, hidden=16):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, heads, dropout=0.0, batch_first=True)
        self.norm1 = nn.LayerNorm(8)
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.drop = nn.Dropout(0.0)
        self.fc2 = nn.Linear(hidden, dim)
        self.norm2 = nn.LayerNorm(8)

    def forward(self, x):
        x = self.norm1(x + self.attn(x, x, x, need_weights=False)[0])
        return self.norm2(x + self.fc2(self.drop(self.act(self.fc1(x)))))
