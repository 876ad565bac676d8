"""Cheaper LibCST visiting: the per-node costs every visitor of the converter pays.

Why: converting a file walks every node of its hot regions several times (scope
analysis, the rewrite, name uses, import fixing), and LibCST's generic machinery
dominated the profile: for every field of every node it looks up a
``visit_<Node>_<field>`` hook by name (none of our visitors defines one), and
``isinstance`` against LibCST's abstract base classes goes through ``abc``'s
slow path. Both are answered here once per class and node type.
"""
from __future__ import annotations

import libcst as cst

SIMPLE, COMPOUND = 1, 2
_kinds: dict[type, int] = {}
_formatting: dict[type, bool] = {}
# nodes made only of formatting (whitespace, comments, punctuation, operators): nothing in them is rewritten
_FORMATTING_BASES = (cst.BaseParenthesizableWhitespace, cst.TrailingWhitespace, cst.EmptyLine, cst.Comment,
                     cst.Newline, cst.Comma, cst.Dot, cst.Colon, cst.Semicolon, cst.AssignEqual, cst.LeftParen,
                     cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace,
                     cst.RightCurlyBrace, cst.BaseBinaryOp, cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp,
                     cst.BaseAugOp, cst.Asynchronous)


def statement_kind(node_type: type) -> int:
    """SIMPLE for a ``SimpleStatementLine``, COMPOUND for ``for``/``class``/..., 0 otherwise (cached per type)."""
    kind = _kinds.get(node_type)
    if kind is None:
        kind = _kinds[node_type] = (SIMPLE if issubclass(node_type, cst.SimpleStatementLine) else
                                    COMPOUND if issubclass(node_type, cst.BaseCompoundStatement) else 0)
    return kind


def formatting(node_type: type) -> bool:
    """Whether a node type holds only formatting: a transformer with no hook for such types may skip its
    children (the parent keeps the node as it is); LibCST would otherwise rebuild every one (cached per type)."""
    known = _formatting.get(node_type)
    if known is None:
        known = _formatting[node_type] = issubclass(node_type, _FORMATTING_BASES)
    return known


_hook_cache: dict[tuple[type, type], tuple] = {}


def _hooks(cls: type, node_type: type) -> tuple:
    """(``visit_<Node>``, ``leave_<Node>``) functions of a visitor class for one node type, or None each."""
    found = _hook_cache.get((cls, node_type))
    if found is None:
        name = node_type.__name__
        found = _hook_cache[(cls, node_type)] = (own_hook(getattr(cls, f"visit_{name}", None)),
                                                 own_hook(getattr(cls, f"leave_{name}", None)))
    return found


def own_hook(hook):
    """None for LibCST's typed stubs (``visit_X`` returns None, ``leave_X`` the updated node): not worth a call."""
    return None if getattr(hook, "_is_no_op", False) else hook


class NoFieldHooks:
    """Mixin for a visitor that defines no ``visit_<Node>_<field>``/``leave_<Node>_<field>`` hook.

    LibCST calls ``on_visit_attribute``/``on_leave_attribute`` for every field of
    every node, each a ``getattr`` by a formatted name; with no such hook they do
    nothing, so they are skipped. A subclass that defines one is refused at once.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._transformer = issubclass(cls, cst.CSTTransformer)
        own = {name for klass in cls.__mro__ if not klass.__module__.startswith("libcst") for name in vars(klass)}
        hooks = sorted(name for name in own if name.startswith(("visit_", "leave_")) and name.count("_") >= 2)
        if hooks:
            raise TypeError(f"{cls.__name__} defines field hooks {hooks}: do not derive it from NoFieldHooks")

    def on_visit(self, node) -> bool:
        """LibCST's ``on_visit``, with the ``visit_<Node>`` hook looked up once per class and node type (LibCST
        formats the name and misses a ``getattr`` for every node)."""
        visit = _hooks(type(self), type(node))[0]
        return True if visit is None else visit(self, node) is not False

    def on_leave(self, original_node, *updated):
        """LibCST's ``on_leave`` (a transformer's returns the updated node), hooks looked up once per type."""
        leave = _hooks(type(self), type(original_node))[1]
        if self._transformer:
            (updated_node,) = updated
            return updated_node if leave is None else leave(self, original_node, updated_node)
        if leave is not None:
            leave(self, original_node)
        return None

    def on_visit_attribute(self, node, attribute) -> None:
        return None

    def on_leave_attribute(self, original_node, attribute) -> None:
        return None
