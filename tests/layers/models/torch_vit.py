import numpy as np
import torch
from torch import nn


class PatchEmbed(nn.Module):
    """ViT patch embedding: a strided convolution cuts patches, a class token and position embeddings are added."""

    def __init__(self, image=8, patch=4, channels=3, dim=8):
        super().__init__()
        self.proj = nn.Conv2d(channels, dim, patch, stride=patch)
        self.cls_token = nn.Parameter(torch.tensor(np.zeros((1, 1, dim), np.float32)))
        self.pos_embed = nn.Parameter(torch.tensor(np.zeros((1, (image // patch) ** 2 + 1, dim), np.float32)))

    def forward(self, x):
        x = self.proj(x).flatten(2).transpose(1, 2)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        return torch.cat((cls, x), dim=1) + self.pos_embed


class EncoderBlock(nn.Module):
    """A pre-norm Transformer encoder block: multi-head self-attention and a feed-forward net, each residual."""

    def __init__(self, dim=8, heads=2, hidden=16):
        super().__init__()
        self.norm1 = nn.LayerNorm(8, eps=1e-6)
        self.attn = nn.MultiheadAttention(dim, heads, dropout=0.0, batch_first=True)
        self.norm2 = nn.LayerNorm(8, eps=1e-6)
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.drop = nn.Dropout(0.0)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        y = self.norm1(x)
        x = x + self.attn(y, y, y, need_weights=False)[0]
        return x + self.fc2(self.drop(self.act(self.fc1(self.norm2(x)))))


class ViT(nn.Module):
    """A tiny ViT: patch embedding, one encoder block, a head on the class token."""

    def __init__(self, dim=8, heads=2, classes=3):
        super().__init__()
        self.embed = PatchEmbed(dim=dim)
        self.block = EncoderBlock(dim, heads)
        self.norm = nn.LayerNorm(8, eps=1e-6)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        x = self.norm(self.block(self.embed(x)))
        return self.head(x[:, 0])
