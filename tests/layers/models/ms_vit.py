import mindspore
import numpy as np
from mindspore import nn, ops


class PatchEmbed(nn.Cell):
    """ViT patch embedding: a strided convolution cuts patches, a class token and position embeddings are added."""

    def __init__(self, image=8, patch=4, channels=3, dim=8):
        super().__init__()
        self.proj = nn.Conv2d(channels, dim, patch, stride=patch, pad_mode="valid", has_bias=True)
        self.cls_token = mindspore.Parameter(mindspore.tensor(np.zeros((1, 1, dim), np.float32)))
        self.pos_embed = mindspore.Parameter(mindspore.tensor(np.zeros((1, (image // patch) ** 2 + 1, dim), np.float32)))

    def construct(self, x):
        x = self.proj(x).flatten(start_dim=2).swapaxes(1, 2)
        cls = self.cls_token.broadcast_to((x.shape[0], -1, -1))
        return ops.cat((cls, x), axis=1) + self.pos_embed


class EncoderBlock(nn.Cell):
    """A pre-norm Transformer encoder block: multi-head self-attention and a feed-forward net, each residual."""

    def __init__(self, dim=8, heads=2, hidden=16):
        super().__init__()
        self.norm1 = nn.LayerNorm((8,), epsilon=1e-6)
        self.attn = nn.MultiheadAttention(dim, heads, dropout=0.0, batch_first=True)
        self.norm2 = nn.LayerNorm((8,), epsilon=1e-6)
        self.fc1 = nn.Dense(dim, hidden)
        self.act = nn.GELU(approximate=False)
        self.drop = nn.Dropout(p=0.0)
        self.fc2 = nn.Dense(hidden, dim)

    def construct(self, x):
        y = self.norm1(x)
        x = x + self.attn(y, y, y)[0]
        return x + self.fc2(self.drop(self.act(self.fc1(self.norm2(x)))))


class ViT(nn.Cell):
    """A tiny ViT: patch embedding, one encoder block, a head on the class token."""

    def __init__(self, dim=8, heads=2, classes=3):
        super().__init__()
        self.embed = PatchEmbed(dim=dim)
        self.block = EncoderBlock(dim, heads)
        self.norm = nn.LayerNorm((8,), epsilon=1e-6)
        self.head = nn.Dense(dim, classes)

    def construct(self, x):
        x = self.norm(self.block(self.embed(x)))
        return self.head(x[:, 0])
