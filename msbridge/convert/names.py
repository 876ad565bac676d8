"""Qualified-name resolution of import aliases with Python's ``ast``, for the fast first scan.

``msbridge.convert.scan`` uses this flat table (local name -> what an import bound
it to) to decide which statements are worth parsing with LibCST at all. It does
not know scopes: a name rebound after the import (``nn = something``) is still
resolved through the import here. The rewrite itself never relies on it: it asks
``msbridge.convert.bindings``, LibCST's scope analysis over the rewritten regions.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None (calls, subscripts...)."""
    parts: list[str] = []
    # exact types: LibCST's Name and Attribute have no subclasses, and isinstance against its abstract
    # bases takes abc's slow path (this runs for every name the rewriter passes)
    while type(node) is cst.Attribute:
        parts.append(node.attr.value)
        node = node.value
    if type(node) is not cst.Name:
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def base_values(cls: cst.ClassDef) -> list[cst.BaseExpression]:
    """The expressions a class may derive from: each base, and both branches of a conditional one
    (``nn.Cell if MINDSPORE_AVAILABLE else object``, a guarded import's fallback)."""
    values, todo = [], [b.value for b in cls.bases]
    while todo:
        value = todo.pop(0)
        if isinstance(value, cst.IfExp):
            todo[:0] = [value.body, value.orelse]
        else:
            values.append(value)
    return values


def _module_path(node: cst.BaseExpression | None) -> str:
    return "" if node is None else dotted_name(node) or ""


@dataclass
class ImportTable:
    """Local name -> qualified name it is bound to by an import statement."""

    aliases: dict[str, str] = field(default_factory=dict)

    def resolve(self, node: cst.BaseExpression) -> str | None:
        """Qualified name of a Name/Attribute chain whose head is imported, else None."""
        return self.qualify(dotted_name(node))

    def qualify(self, name: str | None) -> str | None:
        """``"nn.Dense"`` -> ``"mindspore.nn.Dense"`` when ``nn`` is an imported alias, else None."""
        if name is None:
            return None
        head, _, rest = name.partition(".")
        target = self.aliases.get(head)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target

    def bound_names(self) -> set[str]:
        return set(self.aliases)
