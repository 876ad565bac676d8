"""msbridge.convert.scopes answers as LibCST's ScopeProvider does (the analysis it replaces, for speed).

Every Name/Attribute chain of each snippet is asked both ways: its qualified names (with their source) and,
for a Name, every assignment visible from where it stands. The snippets hold the rules that are easy to get
wrong: class bodies hidden from their methods, comprehension scopes, ``global``/``nonlocal``, dotted imports,
a read before the local binding, walrus, lambdas, parameters' defaults, ``except ... as``, ``del``.
"""
from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, QualifiedNameSource, ScopeProvider

from msbridge.convert.names import dotted_name
from msbridge.convert.scopes import scopes_of
from msbridge.convert.walk import walk

SNIPPETS = {
    "imports": """
import torch
import torch.nn
import mindspore.nn as msnn
from mindspore import ops as P, Tensor
from . import local_mod
from .pkg import thing as other
x = torch.nn.Conv2d(1, 2, 3)
y = msnn.Dense(1, 2)
z = P.ReLU()(Tensor([1.0]))
w = torch.zeros(1).nn.view
local_mod.run(other)
""",
    "shadowing": """
from mindspore import nn
def f(nn=None):
    return nn.ReLU()
def g():
    x = nn.ReLU()
    nn = 3
    return nn, x
class Net(nn.Cell):
    nn = 5
    def construct(self, x):
        return nn.ReLU()(x) + self.nn
nn = nn.Dense
""",
    "scopes": """
import torch
from torch import nn
counter = 0
def outer():
    model = nn.Linear(1, 1)
    def inner():
        nonlocal model
        model = torch.nn.ReLU()
        global counter
        counter += 1
        return model
    return inner
values = [nn.ReLU() for nn in range(3)]
pairs = {k: torch.tensor(v) for k, v in zip(values, values) if (n := k) is not None}
fn = lambda x, act=nn.ReLU(): act(x) + torch.ones(1)
try:
    pass
except ValueError as torch:
    print(torch)
del values
for torch.item in []:
    pass
with open("f") as (a, b):
    a.read()
""",
    "methods": """
import mindspore as ms
from mindspore import nn
class A(nn.Cell):
    def __init__(self, dense=nn.Dense):
        super().__init__()
        self.layer = dense(1, 2)
        self.act = ms.ops.ReLU()
    def construct(self, x, *args, scale: ms.Tensor = None, **kw):
        out = self.layer(x)
        out = self.act(out)
        return ms.ops.mul(out, scale)
def train(net, opt):
    loss_fn = nn.MSELoss()
    grad_fn = ms.value_and_grad(lambda d: loss_fn(net(d)), None, opt.parameters)
    return grad_fn
""",
}

_SOURCE = {QualifiedNameSource.IMPORT: "import", QualifiedNameSource.BUILTIN: "builtin",
           QualifiedNameSource.LOCAL: "local"}


class _Chains:
    def __init__(self):
        self.nodes = []

    def visit_Name(self, node):
        self.nodes.append(node)

    def visit_Attribute(self, node):
        self.nodes.append(node)


def _assignment_nodes(assignments) -> list:
    return sorted((type(a).__name__.replace("Builtin", "B"), id(getattr(a, "node", None))) for a in assignments)


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_same_answers_as_libcst(name):
    module = cst.parse_module(SNIPPETS[name])
    libcst_scopes = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
    ours = scopes_of(module)
    chains = _Chains()
    walk(module, chains)
    checked = 0
    for node in chains.nodes:
        if dotted_name(node) is None:
            continue
        theirs, mine = libcst_scopes.get(node), ours.get(id(node))
        assert (theirs is None) == (mine is None), module.code_for_node(node)
        if theirs is None:
            continue
        expected = {(q.name, _SOURCE[q.source]) for q in theirs.get_qualified_names_for(node)}
        assert mine.qualified_names(node) == expected, module.code_for_node(node)
        if isinstance(node, cst.Name):
            assert _assignment_nodes(mine[node.value]) == _assignment_nodes(theirs[node.value]), node.value
        checked += 1
    assert checked > 10
