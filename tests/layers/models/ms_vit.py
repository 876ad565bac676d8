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


class ViT(nn.Cell):
    """A tiny ViT: patch embedding, one pre-norm encoder block, the class token's head."""

    def __init__(self, dim=8, heads=2, classes=3):
        super().__init__()
        self.embed = PatchEmbed(dim=dim)
        self.norm1 = nn.LayerNorm((8,), epsilon=1e-6)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm2 = nn.LayerNorm((8,), epsilon=1e-6)
        self.fc1 = nn.Dense(dim, 2 * dim)
        self.act = nn.GELU(approximate=False)
        self.fc2 = nn.Dense(2 * dim, dim)
        self.head = nn.Dense(dim, classes)

    def construct(self, x):
        x = self.embed(x)
        y = self.norm1(x)
        x = x + self.attn(y, y, y)[0]
        x = x + self.fc2(self.act(self.fc1(self.norm2(x))))
        return self.head(x[:, 0])
