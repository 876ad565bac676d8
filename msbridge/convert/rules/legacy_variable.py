"""``torch.autograd.Variable(t)`` on MindSpore: the tensor itself (torch -> MindSpore).

Code written for torch < 0.4 wraps every tensor (PyTorch-GAN's scripts: ``real_imgs = Variable(imgs.type(Tensor))``,
``valid = Variable(Tensor(n, 1).fill_(1.0), requires_grad=False)``). Since 0.4 ``Variable(t)`` returns a tensor
sharing ``t``'s storage and not requiring grad (measured on torch 2.13), which is what ``t`` itself is on
MindSpore (tensors carry no autograd state there). ``requires_grad=True`` makes a leaf that torch differentiates
later (a gradient penalty): MindSpore differentiates functions instead, so that form is marked.
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt

NAMES = frozenset({"torch.autograd.Variable", "torch.autograd.variable.Variable"})
ATOMS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float, cst.SimpleString, cst.List,
         cst.Tuple, cst.Dict)
WHY = "Variable has been a no-op wrapper since torch 0.4 (a tensor sharing the storage): the tensor itself"
LEAF = ("requires_grad=True makes a leaf that torch differentiates later; MindSpore differentiates functions: take "
        "the gradient with mindspore.value_and_grad (or grad) over a function of this tensor")


def call(rw, name: str | None, original: cst.Call, updated: cst.Call):
    """The wrapped tensor's expression (recorded), ``updated`` when marked, or None (not this rule's)."""
    if rw.target != "mindspore" or name not in NAMES or any(a.star for a in original.args):
        return None
    positional = [a for a in updated.args if a.keyword is None]
    keywords = {a.keyword.value: a.value for a in updated.args if a.keyword is not None}
    if len(positional) != 1 or set(keywords) - {"requires_grad", "volatile"}:
        return None
    leaf = keywords.get("requires_grad")
    if leaf is not None and not (isinstance(leaf, cst.Name) and leaf.value == "False"):
        rw.record(original, "torch.autograd.Variable", rpt.REVIEW, None, LEAF)
        return updated
    rw.record(original, "torch.autograd.Variable", rpt.CONVERTED, "(the tensor itself)", WHY)
    value = positional[0].value
    if not isinstance(value, ATOMS) and not value.lpar:   # `Variable(a + b).sum()` must stay `(a + b).sum()`
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return value
