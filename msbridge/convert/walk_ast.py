"""One list of every node of an ``ast`` tree, read by every whole-file question (``ast.walk`` is a generator pair
per node: twice the cost).
"""
from __future__ import annotations

import ast


def walk_all(tree: ast.AST) -> list[ast.AST]:
    """``list(ast.walk(tree))``, same nodes in the same (breadth-first) order, at half the cost: ``ast.walk``
    runs two generators per node."""
    nodes = [tree]
    node_type, append = ast.AST, nodes.append
    for node in nodes:   # grows while it is read: breadth-first, as ast.walk
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, node_type):
                append(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, node_type):
                        append(item)
    return nodes
