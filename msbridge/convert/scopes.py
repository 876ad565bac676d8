"""Scopes and qualified names of a LibCST module, in one read-only walk.

Why: LibCST's ``ScopeProvider`` (with the ``ExpressionContextProvider`` it
needs) was the largest single cost of a conversion: two full visits that
rebuild the tree, and bookkeeping of every access the converter never asks
about. This module gives the same answers to the only questions
``msbridge.convert.bindings`` asks (the qualified names of a Name/Attribute
chain; every assignment of a name visible from where it is used) with the same
rules, copied from LibCST 1.0's scope analysis: the same scopes (module,
function, lambda, class, comprehension), the same bindings (imports, every
dotted prefix of ``import a.b.c``, ``def``/``class``, parameters, stores,
``global``/``nonlocal``), the same order of assignments and accesses, the same
quirks (class bodies hidden from nested functions; an access that sees no
earlier binding of its scope falls back to the parent's). String annotations
are not parsed: the converter never asks about names inside them.
"""
from __future__ import annotations

import builtins

import libcst as cst

from msbridge.convert.names import dotted_name
from msbridge.convert.walk import walk

IMPORT, BUILTIN, LOCAL = "import", "builtin", "local"


class Assignment:
    """A binding of ``name`` by ``node`` (a Name stored to, a Param, a def/class, an import statement)."""

    def __init__(self, name: str, scope: Scope, node: cst.CSTNode, index: int):
        self.name, self.scope, self.node, self.index = name, scope, node, index

    def qualified_names(self, full_name: str) -> set[tuple[str, str]]:
        prefix = self.scope.prefix
        return {(f"{prefix}.{full_name}" if prefix else full_name, LOCAL)}


class ImportAssignment(Assignment):
    def qualified_names(self, full_name: str) -> set[tuple[str, str]]:
        module = ""
        if isinstance(self.node, cst.ImportFrom):
            if self.node.module:
                module = dotted_name(self.node.module) or ""
            if self.node.relative:
                module = "." * len(self.node.relative) + module
        results = set()
        if isinstance(self.node.names, cst.ImportStar):
            return results
        for alias in self.node.names:
            real_name = dotted_name(alias.name)
            if not real_name:
                continue
            parts = real_name.split(".")   # dotted imports: the longest prefix that matches full_name
            for real_name in (".".join(parts[:i]) for i in range(len(parts), 0, -1)):
                as_name = real_name
                if module and module.endswith("."):
                    real_name = f"{module}{real_name}"
                elif module:
                    real_name = f"{module}.{real_name}"
                if alias.asname is not None and alias.evaluated_alias is not None:
                    as_name = alias.evaluated_alias
                if full_name.startswith(as_name):
                    remaining = full_name.split(as_name, 1)[1]
                    if remaining and not remaining.startswith("."):
                        continue
                    remaining = remaining.lstrip(".")
                    results.add((f"{real_name}.{remaining}" if remaining else real_name, IMPORT))
                    break
        return results


class BuiltinAssignment:
    index = -1

    def __init__(self, name: str, scope: Scope):
        self.name, self.scope = name, scope

    def qualified_names(self, full_name: str) -> set[tuple[str, str]]:
        return {(f"builtins.{self.name}", BUILTIN)}


class Scope:
    """Module scope (``parent`` is the builtins); subclasses below are LibCST's local scopes."""

    def __init__(self, parent: Scope | None, name: str | None = None):
        self.parent = parent if parent is not None else _Builtins(self)
        self.globals = self if parent is None else parent.globals
        self.assignments: dict[str, set] = {}
        self.count = 0                 # assignment-like statements left so far (orders accesses and bindings)
        self.accesses: dict[int, list] = {}   # id(node) -> its accesses (Name, or the dotted import it reads)
        self.overwrites: dict[str, Scope] = {}
        self.prefix = self._prefix(name)

    def _prefix(self, name):
        return ""

    def record(self, name: str, node: cst.CSTNode, kind=Assignment) -> None:
        target = self._target(name)
        target.assignments.setdefault(name, set()).add(kind(name, target, node, target.count))

    def _target(self, name: str) -> Scope:
        if name in self.overwrites:
            return self.overwrites[name]._target_parent(name)
        return self

    def _target_parent(self, name: str) -> Scope:
        return self

    def __contains__(self, name: str) -> bool:
        if name in self.overwrites:
            return name in self.overwrites[name]
        if name in self.assignments:
            return len(self.assignments[name]) > 0
        return self.parent._contains_from_child(name)

    def __getitem__(self, name: str) -> set:
        if name in self.overwrites:
            return self.overwrites[name]._get_from_child(name)
        if name in self.assignments:
            return self.assignments[name]
        return self.parent._get_from_child(name)

    def _get_from_child(self, name: str) -> set:
        return self[name]

    def _contains_from_child(self, name: str) -> bool:
        return name in self

    def qualified_names(self, node: cst.CSTNode) -> set[tuple[str, str]]:
        """LibCST's ``Scope.get_qualified_names_for``: (name, source) pairs."""
        accesses = self.accesses.get(id(node))
        if accesses:
            return {q for access in accesses for referent in access.referents
                    for q in referent.qualified_names(referent.name)}
        full_name = dotted_name(node)
        if full_name is None:
            return set()
        assignments = set()
        prefix = full_name
        while prefix:
            if prefix in self:
                assignments = self[prefix]
                break
            idx = prefix.rfind(".")
            prefix = None if idx == -1 else prefix[:idx]
        for assignment in assignments:
            if isinstance(assignment, Assignment) and _is_assignment(node, assignment.node):
                return assignment.qualified_names(full_name)
        results = set()
        for assignment in assignments:
            results |= assignment.qualified_names(full_name)
        return results


class _Builtins(Scope):
    def __init__(self, module: Scope):
        self.parent, self.globals, self.assignments, self.prefix, self.count = self, module, {}, "", 0

    def __contains__(self, name: str) -> bool:
        return hasattr(builtins, name)

    def __getitem__(self, name: str) -> set:
        if name not in self.assignments and hasattr(builtins, name):
            self.assignments[name] = {BuiltinAssignment(name, self)}
        return self.assignments.get(name, set())


class _Local(Scope):
    def __init__(self, parent: Scope, name: str | None = None):
        super().__init__(parent, name)
        self.globals = parent.globals

    def _prefix(self, name):
        return ".".join(filter(None, [self.parent.prefix, name, "<locals>"]))


class _Class(_Local):
    def _target_parent(self, name: str) -> Scope:
        return self.parent._target_parent(name)

    def _get_from_child(self, name: str) -> set:   # a class body is hidden from the functions inside it
        return self.parent._get_from_child(name)

    def _contains_from_child(self, name: str) -> bool:
        return self.parent._contains_from_child(name)

    def _prefix(self, name):
        return ".".join(filter(None, [self.parent.prefix, name]))


class _Comprehension(_Local):
    def _prefix(self, name):
        return ".".join(filter(None, [self.parent.prefix, "<comprehension>"]))


class _Access:
    def __init__(self, node: cst.Name, scope: Scope):
        self.node, self.scope, self.index = node, scope, scope.count
        self.referents: set = set()


def _is_assignment(node: cst.CSTNode, assignment_node: cst.CSTNode) -> bool:
    if node is assignment_node:
        return True
    if isinstance(assignment_node, (cst.Import, cst.ImportFrom)) and not isinstance(assignment_node.names,
                                                                                    cst.ImportStar):
        return any(alias.name is node or (alias.asname is not None and alias.asname.name is node)
                   for alias in assignment_node.names)
    return False


def _dotted_prefixes(node: cst.BaseExpression):
    """(``a.b.c``, node), (``a.b``, node), (``a``, node) of a chain, longest first (LibCST's _gen_dotted_names)."""
    if isinstance(node, cst.Name):
        yield node.value, node
        return
    value = node.value
    if isinstance(value, cst.Call):
        value = value.func
        if isinstance(value, (cst.Attribute, cst.Name)):
            yield from _dotted_prefixes(value)
    elif isinstance(value, (cst.Attribute, cst.Name)):
        names = list(_dotted_prefixes(value))
        if names:
            yield f"{names[0][0]}.{node.attr.value}", node
            yield from names


_ASSIGNMENT_LIKE = frozenset(("AnnAssign", "AsName", "Assign", "AugAssign", "ClassDef", "CompFor", "FunctionDef",
                              "Global", "Import", "ImportFrom", "NamedExpr", "Nonlocal", "Parameters", "WithItem"))
STORE = True


class _ScopeWalk:
    """LibCST's ScopeVisitor and ExpressionContextVisitor in one walk (``store``: a target is being walked)."""

    def __init__(self):
        self.scope = Scope(None)
        self.scope_of: dict[int, Scope] = {}     # id(Name or Attribute node) -> its scope
        self.store = False
        self.deferred: list[tuple[_Access, cst.Attribute | None]] = []
        self.top_attribute: list[cst.Attribute | None] = [None]

    def _in(self, node, scope=None, store=None):
        saved_scope, saved_store = self.scope, self.store
        if scope is not None:
            self.scope = scope
        if store is not None:
            self.store = store
        try:
            walk(node, self)
        finally:
            self.scope, self.store = saved_scope, saved_store

    def _count(self, node) -> None:
        self.scope.count += 1

    # ---- names --------------------------------------------------------------------------------
    def visit_Name(self, node: cst.Name) -> bool:
        self.scope_of[id(node)] = self.scope
        if self.store:
            self.scope.record(node.value, node)
        else:
            self.deferred.append((_Access(node, self.scope), self.top_attribute[-1]))
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if self.top_attribute[-1] is None:
            self.top_attribute[-1] = node
        self._in(node.value, store=False)   # the attribute name is neither a binding nor an access
        if self.top_attribute[-1] is node:
            self.top_attribute[-1] = None
        self.scope_of[id(node)] = self.scope
        return False

    def visit_Call(self, node: cst.Call) -> None:
        self.top_attribute.append(None)

    def leave_Call(self, node: cst.Call) -> None:
        self.top_attribute.pop()

    def visit_Arg(self, node: cst.Arg) -> bool:
        walk(node.value, self)   # the keyword is neither a binding nor an access
        return False

    def visit_Subscript(self, node: cst.Subscript) -> bool:
        self._in(node.value, store=False)
        for element in node.slice:
            self._in(element, store=False)
        return False

    # ---- stores ----------------------------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> bool:
        for target in node.targets:
            self._in(target.target, store=STORE)
        walk(node.value, self)
        return False

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        self._in(node.target, store=STORE)
        walk(node.annotation, self)
        if node.value is not None:
            walk(node.value, self)
        return False

    def visit_AugAssign(self, node: cst.AugAssign) -> bool:
        self._in(node.target, store=STORE)
        walk(node.value, self)
        return False

    def visit_NamedExpr(self, node: cst.NamedExpr) -> bool:
        self._in(node.target, store=STORE)
        walk(node.value, self)
        return False

    def visit_AsName(self, node: cst.AsName) -> bool:
        self._in(node.name, store=STORE)
        return False

    def visit_Del(self, node: cst.Del) -> bool:
        self._in(node.target, store=False)
        return False

    def visit_CompFor(self, node: cst.CompFor) -> bool:   # an inner `for` of a comprehension
        self._in(node.target, store=STORE)
        walk(node.iter, self)
        for condition in node.ifs:
            walk(condition, self)
        if node.inner_for_in is not None:
            walk(node.inner_for_in, self)
        return False

    def visit_For(self, node: cst.For) -> bool:
        self._in(node.target, store=STORE)
        self.scope.count += 1
        walk(node.iter, self)
        walk(node.body, self)
        if node.orelse is not None:
            walk(node.orelse, self)
        return False

    # ---- imports and declarations ------------------------------------------------------------------
    def visit_Import(self, node) -> bool:
        if isinstance(node.names, cst.ImportStar):
            return False
        for alias in node.names:
            asname = alias.asname.name if alias.asname is not None else alias.name
            for name, _ in _dotted_prefixes(asname):
                self.scope.record(name, node, ImportAssignment)
        return False

    visit_ImportFrom = visit_Import

    def visit_Global(self, node: cst.Global) -> bool:
        if self.scope is self.scope.globals:
            return False   # LibCST: a module-level `global` changes nothing
        for item in node.names:
            self.scope.overwrites[item.name.value] = self.scope.globals
        return False

    def visit_Nonlocal(self, node: cst.Nonlocal) -> bool:
        for item in node.names:
            self.scope.overwrites[item.name.value] = self.scope.parent
        return False

    # ---- new scopes --------------------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.scope.record(node.name.value, node)
        self.scope_of[id(node.name)] = self.scope
        inner = _Local(self.scope, dotted_name(node.name))
        self._in(node.params, scope=inner, store=False)
        self._in(node.body, scope=inner, store=False)
        for decorator in node.decorators:
            self._in(decorator, store=False)
        if node.returns is not None:
            self._in(node.returns, store=False)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        inner = _Local(self.scope)
        self._in(node.params, scope=inner)
        self._in(node.body, scope=inner)
        return False

    def visit_Param(self, node: cst.Param) -> bool:
        self.scope.record(node.name.value, node)
        self.scope_of[id(node.name)] = self.scope
        for part in (node.default, node.annotation):
            if part is not None:
                self._in(part, scope=self.scope.parent, store=False)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.scope.record(node.name.value, node)
        self.scope_of[id(node.name)] = self.scope
        for part in (*node.decorators, *node.bases, *node.keywords):
            self._in(part, store=False)
        inner = _Class(self.scope, dotted_name(node.name))
        for statement in node.body.body:
            self._in(statement, scope=inner, store=False)
        return False

    def _comprehension(self, node) -> bool:
        for_in = node.for_in
        walk(for_in.iter, self)
        inner = _Comprehension(self.scope)
        saved = self.scope
        self.scope = inner
        try:
            self._in(for_in.target, store=STORE)
            inner.count += 1
            for condition in for_in.ifs:
                walk(condition, self)
            if for_in.inner_for_in is not None:
                walk(for_in.inner_for_in, self)
            if isinstance(node, cst.DictComp):
                walk(node.key, self)
                walk(node.value, self)
            else:
                walk(node.elt, self)
        finally:
            self.scope = saved
        return False

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def infer_accesses(self) -> None:
        for access, enclosing in self.deferred:
            name = access.node.value
            key = access.node
            if enclosing is not None:   # `import a.b` then `a.b.c`: the access reads `a.b`
                for dotted, node in _dotted_prefixes(enclosing):
                    if dotted in access.scope:
                        key, name = node, dotted
                        break
            scope = access.scope
            found = scope[name]
            earlier = {a for a in found if a.scope is not scope or a.index < access.index}
            if not earlier and found and scope.parent is not scope:
                earlier = scope.parent[name]
            access.referents |= earlier
            scope.accesses.setdefault(id(key), []).append(access)
        self.deferred = []


for _name in _ASSIGNMENT_LIKE:
    setattr(_ScopeWalk, f"leave_{_name}", _ScopeWalk._count)


def scopes_of(module: cst.Module) -> dict[int, Scope]:
    """id(Name or Attribute node) -> the scope it is read or bound in (nodes LibCST gives a scope)."""
    walker = _ScopeWalk()
    walk(module, walker)
    walker.infer_accesses()
    return walker.scope_of
