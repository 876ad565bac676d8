"""The converter's cheaper equivalents answer exactly what the slower code they replace answered."""
import ast

import libcst as cst

from msbridge.convert import scan as scan_module
from msbridge.convert.walk_ast import walk_all
from msbridge.convert.visiting import NoFieldHooks

CODE = '''\
"""doc"""
import mindspore.nn as nn
a = 1; net = nn.Dense(2, 3)
@decorate(nn.ReLU)
class Net(nn.Cell):
    def construct(self, x):
        return f"""{x!r:>{width}}
        {nn.Dense}"""
x = (net,
     2); y = net.set_train()
def helper(values):
    return [v for v in values if v]
'''


def test_walk_all_is_ast_walk_in_the_same_order():
    tree = ast.parse(CODE)
    assert [id(n) for n in walk_all(tree)] == [id(n) for n in ast.walk(tree)]


def test_units_from_the_one_walk_equal_a_walk_per_statement():
    tree = ast.parse(CODE)
    nodes = walk_all(tree)
    args = (tree, {"nn", "net"}, frozenset({"set_train"}), (), "torch")

    def units(nodes):
        return [(u.first, u.last, u.hot, u.names) for u in scan_module._units(*args, nodes)]

    # the fallback is the walk per statement of before: forced by a node whose line is outside every span
    stray = ast.Name("nn", ast.Load(), lineno=10_000, col_offset=0)
    assert units(nodes) == units([stray, *nodes])
    assert [hot for _, _, hot, _ in units(nodes)] == [True, True, True, True, True, False]
    assert {"width", "x", "decorate"} <= units(nodes)[3][3]   # names inside a nested f-string


class _Hooks:
    """A transformer's hooks, run below with LibCST's own dispatch and with NoFieldHooks' cached one."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def visit_Name(self, node):
        self.seen.append(("visit", node.value))

    def leave_Name(self, original, updated):
        self.seen.append(("leave", original.value))
        return updated.with_changes(value=updated.value.upper())

    def visit_Call(self, node):
        return False   # children of a call are not visited

    def leave_Call(self, original, updated):
        self.seen.append(("leave call", original.func.value))
        return updated


class _Plain(_Hooks, cst.CSTTransformer):
    pass


class _Cached(_Hooks, NoFieldHooks, cst.CSTTransformer):
    pass


class _PlainVisitor(_Hooks, cst.CSTVisitor):
    def leave_Name(self, original):
        self.seen.append(("leave", original.value))

    def leave_Call(self, original):
        self.seen.append(("leave call", original.func.value))


class _CachedVisitor(_PlainVisitor, NoFieldHooks):
    pass


def test_cached_hooks_behave_as_libcst_hooks():
    module = cst.parse_module("a = b + f(c)\nclass K(d): pass\n")
    plain, cached = _Plain(), _Cached()
    assert module.visit(cached).code == module.visit(plain).code == "A = B + f(c)\nclass K(D): pass\n"
    assert cached.seen == plain.seen and ("leave call", "f") in plain.seen
    plain, cached = _PlainVisitor(), _CachedVisitor()
    module.visit(plain), module.visit(cached)
    assert cached.seen == plain.seen and ("leave", "d") in plain.seen
