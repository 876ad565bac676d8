"""A ViT-shaped MindSpore model converted to torch: operator instances (``BatchMatMul(transpose_b=True)``,
``Reshape``, ``Transpose``, ``Unstack``, ``Concat``, ``Tile``), ``Parameter(initializer(...))`` tokens, a
``CellList`` of blocks, ``nn.GELU`` (tanh by default on MindSpore), and gradients read through
``mindspore.value_and_grad`` outside a training step (msbridge.mindspore.value_and_grad). Run on MindSpore and,
converted, on torch with MindSpore unimportable: output, loss and every parameter's gradient must agree.
"""

import numpy as np

from msbridge.convert.source import convert_source

from blocked_run import converted_completely, run_both

PROGRAM = '''\
import json
import sys

import numpy as np
import mindspore as ms
from mindspore import Parameter, Tensor, nn, ops
from mindspore.common.initializer import Constant, initializer


class Attention(nn.Cell):
    def __init__(self, dim, num_heads=2, keep_prob=1.0):
        super().__init__()
        self.num_heads = num_heads
        head_dim = dim // num_heads
        self.scale = Tensor(head_dim ** -0.5)
        self.qkv = nn.Dense(dim, dim * 3, weight_init=Constant(0.02), bias_init="zeros")
        self.attn_drop = nn.Dropout(p=1.0 - keep_prob)
        self.out = nn.Dense(dim, dim, weight_init=Constant(-0.01), bias_init="zeros")
        self.softmax = nn.Softmax(axis=-1)
        self.batch_matmul = ops.BatchMatMul()
        self.q_matmul_k = ops.BatchMatMul(transpose_b=True)
        self.reshape = ops.Reshape()
        self.transpose = ops.Transpose()
        self.unstack = ops.Unstack(axis=0)

    def construct(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x)
        qkv = self.reshape(qkv, (b, n, 3, self.num_heads, c // self.num_heads))
        qkv = self.transpose(qkv, (2, 0, 3, 1, 4))
        q, k, v = self.unstack(qkv)
        attn = self.q_matmul_k(q, k) * self.scale
        attn = self.softmax(attn)
        attn = self.attn_drop(attn)
        out = self.batch_matmul(attn, v)
        out = self.transpose(out, (0, 2, 1, 3))
        out = self.reshape(out, (b, n, c))
        return self.out(out)


class Block(nn.Cell):
    def __init__(self, dim):
        super().__init__()
        self.norm1 = nn.LayerNorm((dim,), epsilon=1e-6)
        self.attn = Attention(dim)
        self.norm2 = nn.LayerNorm((dim,), epsilon=1e-6)
        self.mlp = nn.SequentialCell([nn.Dense(dim, dim * 2, weight_init=Constant(0.01), bias_init="zeros"), nn.GELU(),
                                      nn.Dense(dim * 2, dim, weight_init=Constant(0.01), bias_init="zeros")])

    def construct(self, x):
        x = x + self.attn(self.norm1(x))
        x = x + self.mlp(self.norm2(x))
        return x


class ViT(nn.Cell):
    def __init__(self, image_size=8, patch=4, dim=8, depth=2, num_classes=3):
        super().__init__()
        n = (image_size // patch) ** 2
        self.patch_embed = nn.Conv2d(3, dim, patch, stride=patch, has_bias=True, weight_init=Constant(0.01), bias_init="zeros")
        self.cls_token = Parameter(initializer(Constant(0.1), (1, 1, dim)), name="cls")
        self.pos_embed = Parameter(initializer(Constant(0.05), (1, n + 1, dim)), name="pos_embed")
        self.blocks = nn.CellList([Block(dim) for _ in range(depth)])
        self.norm = nn.LayerNorm((dim,), epsilon=1e-6)
        self.head = nn.Dense(dim, num_classes, weight_init=Constant(0.02), bias_init="zeros")
        self.concat = ops.Concat(axis=1)
        self.tile = ops.Tile()

    def construct(self, x):
        x = self.patch_embed(x)
        b, c, h, w = x.shape
        x = x.reshape(b, c, h * w).transpose(0, 2, 1)
        cls = self.tile(self.cls_token, (b, 1, 1))
        x = self.concat((cls, x)) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        x = self.norm(x)
        return self.head(x[:, 0])


if __name__ == "__main__":
    net = ViT()
    net.set_train(False)
    x = Tensor(np.linspace(-1, 1, 2 * 3 * 8 * 8, dtype=np.float32).reshape(2, 3, 8, 8))
    out = net(x)
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    labels = Tensor(np.array([0, 2], np.int32))
    grad_fn = ms.value_and_grad(lambda a, b: loss_fn(net(a), b), None, net.trainable_params())
    loss, grads = grad_fn(x, labels)
    with open(sys.argv[1], "w") as fh:
        json.dump({"out": out.asnumpy().tolist(), "loss": float(loss.asnumpy()),
                   "grad_norms": [float((g * g).sum().asnumpy()) for g in grads]}, fh)
'''


def test_the_vit_converts_completely():
    out, report = converted_completely(PROGRAM, "torch")
    assert "        q, k, v = torch.unbind(qkv, dim=0)\n" in out
    assert "    grad_fn = value_and_grad(lambda a, b: loss_fn(net(a), b), None, " in out


def test_the_vit_computes_the_same_on_torch(tmp_path):
    out, _ = convert_source(PROGRAM, "torch")
    original, converted = run_both(tmp_path, "vit", PROGRAM, out, "mindspore", "torch")
    np.testing.assert_allclose(converted["out"], original["out"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(converted["loss"], original["loss"], rtol=1e-5)
    assert len(converted["grad_norms"]) == len(original["grad_norms"]) == 32
    np.testing.assert_allclose(converted["grad_norms"], original["grad_norms"], rtol=1e-4, atol=1e-9)
