"""Read-only walks over a LibCST tree, without LibCST's cost of rebuilding it.

Why: ``node.visit(visitor)`` rebuilds every node it passes, even for a
``CSTVisitor`` that changes nothing (a new dataclass plus its validation per
node), so a no-op visit costs about as much as a transformer. ``walk`` calls the
same ``visit_<Node>``/``leave_<Node>`` hooks in the same order (LibCST's own
field order, learned once per node type) and only reads the tree. Fields that
hold nothing but formatting (whitespace, parentheses, commas) are skipped.
"""
from __future__ import annotations

import dataclasses

import libcst as cst

from msbridge.convert.visiting import own_hook

_FORMATTING = frozenset({"lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after_decorators",
                         "header", "footer", "newline", "equal", "colon", "dot", "operator", "asynchronous",
                         "trailing_whitespace", "first_colon", "second_colon"})
_fields: dict[type, tuple[str, ...]] = {}
_is_node: dict[type, bool] = {}
_hooks: dict[tuple[type, type], tuple] = {}


class _FieldOrder(cst.CSTVisitor):
    """Records the field names LibCST visits one node's children by, in its order."""

    def __init__(self):
        self.names: list[str] = []

    def on_visit(self, node) -> bool:
        return False

    def on_visit_attribute(self, node, attribute) -> None:
        if attribute not in self.names:
            self.names.append(attribute)


def _child_fields(node: cst.CSTNode) -> tuple[str, ...]:
    order = _FieldOrder()
    node._visit_and_replace_children(order)
    names = order.names + [f.name for f in dataclasses.fields(node) if f.name not in order.names]
    return tuple(n for n in names if n not in _FORMATTING and not n.startswith("whitespace"))


def _node_type(kind: type) -> bool:
    known = _is_node.get(kind)
    if known is None:
        known = _is_node[kind] = issubclass(kind, cst.CSTNode)
    return known


def _plan(visitor_type: type, node: cst.CSTNode) -> tuple:
    """(visit hook, leave hook, child fields) of one visitor class for one node type."""
    kind = type(node)
    name = kind.__name__
    fields = _fields.get(kind)
    if fields is None:
        fields = _fields[kind] = _child_fields(node)
    return (own_hook(getattr(visitor_type, f"visit_{name}", None)), own_hook(getattr(visitor_type, f"leave_{name}", None)),
            fields)


def walk(node: cst.CSTNode, visitor) -> None:
    """Call ``visitor``'s ``visit_<Node>`` (False: skip the children) and ``leave_<Node>`` hooks over ``node``."""
    key = (type(visitor), type(node))
    plan = _hooks.get(key)
    if plan is None:
        plan = _hooks[key] = _plan(key[0], node)
    visit, leave, fields = plan
    if visit is None or visit(visitor, node) is not False:
        is_node = _is_node
        for name in fields:
            value = getattr(node, name)
            kind = type(value)
            if kind is tuple or kind is list:
                for item in value:
                    known = is_node.get(type(item))
                    if known or (known is None and _node_type(type(item))):
                        walk(item, visitor)
            else:
                known = is_node.get(kind)
                if known or (known is None and _node_type(kind)):
                    walk(value, visitor)
    if leave is not None:
        leave(visitor, node)
