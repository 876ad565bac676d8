"""torch tensor methods whose MindSpore 2.10 namesakes fail or differ, and ones measured the same, called on
receivers the converter cannot type (function parameters). tests/convert/test_convert_training.py runs this
under torch and its MindSpore conversion with torch blocked; writes {case: result} to argv[1] as JSON."""
import json
import math
import sys

import numpy as np
import torch


def described(v):
    """A result as plain data: tensors by dtype, shape and values; tuples say whether they have .values."""
    if hasattr(v, "dtype") and hasattr(v, "shape") and not isinstance(v, np.ndarray):
        return {"dtype": str(v.dtype).lower().replace("torch.", ""), "shape": list(v.shape), "value": v.tolist()}
    if isinstance(v, (tuple, list)):
        return {"items": [described(i) for i in v], "named": hasattr(v, "values") and hasattr(v, "indices")}
    return v


class Box:   # not a tensor: its own size(), max() and norm() are called as before
    def size(self, d=None):
        return ("box", d)

    def max(self, *args, **kwargs):
        return ("max", list(args), sorted(kwargs))

    def norm(self, p=2, dim=None):
        return ("norm", p, dim)


def clone_is_a_copy(x):
    y = x.clone()
    y[0, 0, 0] = 100.0
    return float(x[0, 0, 0]), float(y[0, 0, 0])


def differing(x, m, b, obj):
    """x: (2, 3, 4) float32 with distinct values; m: (3, 2); b: (2, 1, 4)."""
    return {
        "size()": x.size(), "size(1)": x.size(1), "size(-1)": x.size(-1), "size(dim=0)": x.size(dim=0),
        "view(size(0),-1)": x.view(x.size(0), -1), "size()[2]": x.size()[2],
        "softmax(dim=-1)": x.softmax(dim=-1), "softmax(dim=1,dtype)": x.softmax(dim=1, dtype=torch.float64),
        "log_softmax(dim=1)": x.log_softmax(dim=1), "log_softmax(-1)": x.log_softmax(-1),
        "max(1)": x.max(1), "max(dim=1).values": x.max(dim=1).values,
        "max(1,keepdim=True).indices": x.max(1, keepdim=True).indices, "max(1)[1]": x.max(1)[1],
        "min(dim=0).values": x.min(dim=0).values, "max(other)": x.max(x * -1), "min(other)": x.min(x * -1),
        "argmin(dim=1)": x.argmin(dim=1), "argmin()": x.argmin(),
        "topk(2).values": x.topk(2).values, "topk(2).indices": x.topk(2).indices,
        "topk(2,dim=1,largest=False)": x.topk(2, dim=1, largest=False),
        "sort(descending=True).indices": x.sort(descending=True).indices, "sort(dim=1).values": x.sort(dim=1).values,
        "norm(p=2,dim=1)": x.norm(p=2, dim=1), "norm(1) matrix": m.norm(1), "norm(2.0) matrix": m.norm(2.0),
        "norm(2,1,keepdim=True)": x.norm(2, 1, keepdim=True), "norm(p=inf,dim=-1)": x.norm(p=math.inf, dim=-1),
        "norm(p=3,dim=(1,2))": x.norm(p=3, dim=(1, 2)), "norm(dim=1)": x.norm(dim=1),
        "new_zeros(2,3)": x.new_zeros(2, 3), "new_zeros((2,3))": x.new_zeros((2, 3)), "new_ones(2)": x.new_ones(2),
        "new_full((2,),7.0)": x.new_full((2,), 7.0), "new_tensor": x.new_tensor([1.0, 2.0]),
        "new_zeros(dtype)": x.new_zeros((2,), dtype=torch.int64),
        "nonzero(as_tuple=True)": (x > 0).nonzero(as_tuple=True), "nonzero(as_tuple=False)": x.nonzero(as_tuple=False),
        "squeeze(dim=1)": b.squeeze(dim=1), "repeat(1,2,1)": x.repeat(1, 2, 1), "repeat(2,1,1,1)": x.repeat(2, 1, 1, 1),
        "std()": x.std(), "std(dim=1)": x.std(dim=1), "std(1,unbiased=False)": x.std(1, unbiased=False),
        "var(dim=1,keepdim=True)": x.var(dim=1, keepdim=True), "var(correction=0)": x.var(correction=0),
        "argsort(dim=1,descending=True)": x.argsort(dim=1, descending=True), "flip(1)": x.flip(1),
        "flip((0,2))": x.flip((0, 2)), "diag() matrix": m[:2].diag(), "diag(1) matrix": m.diag(1),
        "diag() vector": m[0].diag(), "diag(1) vector": m[0].diag(1),
        "clone()": x.clone(), "clone() is a copy": clone_is_a_copy(x),
        "box.size()": obj.size(), "box.size(1)": obj.size(1), "box.max(1,keepdim)": obj.max(1, keepdim=True),
        "box.norm(p=1)": obj.norm(p=1),
    }


def same(x, b):
    """Methods measured to compute the same on MindSpore 2.10: left as written by the converter."""
    return {
        "softmax(1)": x.softmax(1), "max()": x.max(), "sum(dim=1,keepdim=True)": x.sum(dim=1, keepdim=True),
        "mean(dim=1)": x.mean(dim=1), "argmax(dim=1)": x.argmax(dim=1), "view(6,4)": x.view(6, 4),
        "permute(0,2,1)": x.permute(0, 2, 1), "flatten(1)": x.flatten(1), "unsqueeze(dim=1)": x.unsqueeze(dim=1),
        "transpose(1,2)": x.transpose(1, 2), "contiguous()": x.contiguous(), "masked_fill": x.masked_fill(x > 0, -1.0),
        "expand(2,3,4)": b.expand(2, 3, 4)[:, :, 0], "type_as": x.long().type_as(x),
        "chunk(2,dim=2)": x.chunk(2, dim=2),
        "clamp(min=0)": x.clamp(min=0), "item": x[0, 0, 0].item(), "tolist": x[0].tolist(), "float()": x.long().float(),
        "long()": x.long(), "int()": x.int(), "half()": x.half(), "numel()": x.numel(), "dim()": x.dim(),
        "double()": x.double(), "squeeze(1)": b.squeeze(1), "norm()": x.norm(),
    }


rng = np.random.default_rng(0)
x = torch.tensor(rng.permutation(24).reshape(2, 3, 4).astype(np.float32) / 7 - 1.5)
m = torch.tensor(np.array([[1.0, -2.0], [3.0, 5.0], [-0.5, 4.0]], np.float32))
b = torch.tensor(rng.standard_normal((2, 1, 4)).astype(np.float32))
results = {**differing(x, m, b, Box()), **same(x, b)}
with open(sys.argv[1], "w") as handle:
    json.dump({k: described(v) for k, v in results.items()}, handle)
