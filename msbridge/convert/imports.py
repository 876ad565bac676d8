"""Import management: reference target APIs, add the imports they need, drop dead ones.

Target APIs are written so a reader sees where they come from: real frameworks
fully dotted after a plain ``import torch`` / ``import mindspore``
(``torch.optim.SGD``), msbridge runtime names imported by name
(``from msbridge.bridge import MindSporeLR``). Imports of the source framework
that no longer have a use after the rewrite are removed; nothing else is.
"""
from __future__ import annotations

import builtins

import libcst as cst

from msbridge.convert.names import dotted_name
from msbridge.convert.visiting import NoFieldHooks
from msbridge.convert.walk import walk

_BUILTINS = frozenset(dir(builtins))

_SOURCE_ROOTS = {
    # target -> import prefixes that belong to the *source* side and may be dropped when unused
    "torch": ("mindspore", "msbridge.torch", "msbridge.bridge"),
    "mindspore": ("torch", "msbridge.mindspore", "msbridge.bridge"),
}


def _expr(dotted: str) -> cst.BaseExpression:
    parts = dotted.split(".")
    node: cst.BaseExpression = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def _is_msbridge_module(dotted: str) -> bool:
    from msbridge.convert.catalog import PACKAGE_DIR
    rel = PACKAGE_DIR.joinpath(*dotted.split(".")[1:])
    return rel.is_dir() or rel.with_suffix(".py").is_file()


class ImportNeeds:
    """Hands out expressions for qualified names and remembers the imports they need."""

    def __init__(self, bound: set[str]):
        self.bound = set(bound)          # names already bound in the file (imports, defs, assignments)
        self.plain: list[str] = []       # `import torch`
        self.from_: list[tuple[str, str]] = []  # `from msbridge.bridge import MindSporeLR`

    def reference(self, qualified: str) -> cst.BaseExpression:
        """An expression naming ``qualified``; msbridge names are imported by name unless that would hide another."""
        root = qualified.split(".", 1)[0]
        if root != "msbridge":
            if root not in self.plain:
                self.plain.append(root)
            return _expr(qualified)
        module, _, name = qualified.rpartition(".")
        if not _is_msbridge_module(module):   # a class attribute (`ParallelMode.DATA_PARALLEL`): import the class
            return cst.Attribute(value=self.reference(module), attr=cst.Name(name))
        if (module, name) not in self.from_:
            taken = any(n == name for _, n in self.from_)   # another module's `name` is already imported
            # collision with a user name, or a builtin it would shadow (`max`): import the module instead
            if name in self.bound or taken or name in _BUILTINS:
                if module not in self.plain:
                    self.plain.append(module)
                return _expr(qualified)
            self.from_.append((module, name))
        return cst.Name(name)


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.Expr) and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _is_import(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)


class _NameUses(NoFieldHooks, cst.CSTVisitor):
    """Every Name read outside import statements (attribute names excluded)."""

    def __init__(self):
        self.names: set[str] = set()

    def visit_Import(self, node):
        return False

    def visit_ImportFrom(self, node):
        return False

    def visit_Attribute(self, node: cst.Attribute):
        walk(node.value, self)
        return False

    def visit_Name(self, node: cst.Name):
        self.names.add(node.value)


def names_read(node: cst.CSTNode) -> set[str]:
    """Every Name in ``node`` outside imports, attribute names excluded."""
    visitor = _NameUses()
    walk(node, visitor)
    return visitor.names


used_names = names_read


def _belongs(module_path: str, roots: tuple[str, ...]) -> bool:
    return any(module_path == r or module_path.startswith(r + ".") for r in roots)


class _DropUnused(NoFieldHooks, cst.CSTTransformer):
    def __init__(self, roots: tuple[str, ...], used: set[str]):
        self.roots, self.used = roots, used

    def _keep(self, local: str, full: str) -> bool:
        return local in self.used or not _belongs(full, self.roots)

    def leave_Import(self, original, updated):
        names = [a for a in updated.names
                 if self._keep(a.asname.name.value if a.asname else dotted_name(a.name).split(".")[0],
                               dotted_name(a.name))]
        if len(names) == len(updated.names):
            return updated
        if not names:
            return cst.RemoveFromParent()
        names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(names=names)

    def leave_ImportFrom(self, original, updated):
        if updated.relative or isinstance(updated.names, cst.ImportStar) or updated.module is None:
            return updated
        module = dotted_name(updated.module)
        names = [a for a in updated.names
                 if self._keep(a.asname.name.value if a.asname else dotted_name(a.name), f"{module}.{dotted_name(a.name)}")]
        if len(names) == len(updated.names):
            return updated
        if not names:
            return cst.RemoveFromParent()
        names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(names=names)


def _already_imported(module: cst.Module) -> tuple[set[str], set[tuple[str, str]]]:
    plain, from_ = set(), set()
    for stmt in module.body:
        if not _is_import(stmt):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Import):
                for a in small.names:
                    if a.asname is None:
                        plain.add(dotted_name(a.name))
            elif small.module is not None and not isinstance(small.names, cst.ImportStar):
                for a in small.names:
                    if a.asname is None:
                        from_.add((dotted_name(small.module), dotted_name(a.name)))
    return plain, from_


def _carry_into(stmt, lines, comments):
    """Give ``stmt`` the layout of a removed import before it: its comment lines, and its blank lines
    when ``stmt`` has none of its own (so the removal does not glue two blocks together)."""
    own = list(stmt.leading_lines)
    extra = list(lines)
    if any(line.comment is None for line in own) and not comments \
            and all(line.comment is None for line in extra):
        extra = []   # blank lines only, and the statement has its own
    extra += [cst.EmptyLine(indent=True, comment=cst.Comment(c.value)) for c in comments]
    if not extra:
        return stmt
    return stmt.with_changes(leading_lines=[*extra, *own])


def fix_imports(module: cst.Module, needs: ImportNeeds, target: str, used: set[str], add: bool = True,
                read_before: set[str] | None = None, twinned: list | None = None) -> cst.Module:
    """Drop source-framework imports that no name in ``used`` reads; with ``add``, add what ``needs`` asks for.

    ``read_before``: the names the file read before the rewrite; an import none of them read was
    already unused and is not the converter's business (kept). New imports take the place (blank
    lines, comment) of the first import removed from the top block.
    """
    before = len(module.body)
    # a source import whose local name the target import now takes over (`StepLR`) goes too
    used = used - {name for _, name in needs.from_}
    if read_before is not None:
        used = used | (_locals_bound_by_imports(module) - read_before)
    dropper = _DropUnused(_SOURCE_ROOTS[target], used)
    unused_before = _locals_bound_by_imports(module) - read_before if read_before is not None else set()
    decisions = []   # (statement, what is kept of it or None when removed)
    for stmt in module.body:   # top-level imports only: transforming the whole tree again costs ~30%
        kept = stmt
        if _is_import(stmt):
            kept = stmt.visit(dropper)
            if isinstance(kept, cst.RemovalSentinel) or not kept.body:
                kept = None
            elif unused_before:   # the source framework itself (not msbridge's own modules)
                twin = _twin_import(kept, unused_before, target) if twinned is not None else None
                if twin is not None:
                    kept = twin[0]
                    twinned.extend(twin[1])
                else:
                    kept = _mark_unused_source_import(kept, unused_before, _SOURCE_ROOTS[target][:1])
        elif isinstance(stmt, cst.Try):
            kept = _retarget_guard(stmt, dropper, target)
        decisions.append((stmt, kept))
    plain, from_ = _already_imported(module.with_changes(body=[k for _, k in decisions if k is not None]))
    new: list[cst.SimpleStatementLine] = []
    if add:
        for name in needs.plain:
            if name not in plain and not any(p.startswith(name + ".") for p in plain if name in ("torch", "mindspore")):
                new.append(cst.parse_statement(f"import {name}\n"))
        grouped: dict[str, list[str]] = {}
        for mod, name in needs.from_:
            if (mod, name) not in from_:
                grouped.setdefault(mod, []).append(name)
        for mod, names in grouped.items():
            new.append(cst.parse_statement(f"from {mod} import {', '.join(names)}\n"))
    body: list = []
    carry = None      # (leading lines, trailing comments) of removed imports, for the next statement
    inserted = not new
    for stmt, kept in decisions:
        if kept is None:
            if not inserted and all(_is_import(s) or (i == 0 and _is_docstring(s)) for i, s in enumerate(body)):
                # the new imports take the place, blank lines and comment of the first import removed
                # from the top block
                new[0] = new[0].with_changes(leading_lines=[*(carry[0] if carry else []), *stmt.leading_lines])
                comment = stmt.trailing_whitespace.comment
                if comment is not None:
                    new[0] = new[0].with_changes(trailing_whitespace=new[0].trailing_whitespace.with_changes(
                        whitespace=cst.SimpleWhitespace("  "), comment=comment))
                body.extend(new)
                inserted, carry = True, None
                continue
            lines, comments = carry or ([], [])
            comment = stmt.trailing_whitespace.comment
            carry = (lines + list(stmt.leading_lines), comments + ([comment] if comment is not None else []))
            continue
        if carry is not None:
            kept = _carry_into(kept, *carry)
            carry = None
        body.append(kept)
    if not inserted:
        index = 0
        for i, stmt in enumerate(body):
            if _is_import(stmt) or (i == 0 and _is_docstring(stmt)):
                index = i + 1
            else:
                break
        body = body[:index] + new + body[index:]
    module = module.with_changes(body=body)
    if not new and len(module.body) < before and module.body and not module.header:
        first = module.body[0]   # an import block removed from the top must not leave blank lines first
        lines = list(first.leading_lines)
        while lines and lines[0].comment is None:
            lines.pop(0)
        module = module.with_changes(body=[first.with_changes(leading_lines=lines), *module.body[1:]])
    return module


def _retarget_guard(stmt: cst.Try, dropper: _DropUnused, target: str) -> cst.Try:
    """``try: import mindspore.nn as nn`` / ``except ImportError: ...``: the source imports nothing reads any
    more go, and the first of them becomes ``import torch``, so the guard tests the framework the converted
    file runs on (left as it was, the port without MindSpore took the fallback; removed, the body could be
    empty). Imports something still reads are kept (and ``guarded_imports`` marks them)."""
    body, retargeted = [], False
    for inner in stmt.body.body:
        if not _is_import(inner):
            body.append(inner)
            continue
        kept = inner.visit(dropper)
        if not isinstance(kept, cst.RemovalSentinel) and kept.body:
            body.append(kept)
        elif not retargeted:
            body.append(inner.with_changes(body=[cst.Import(names=[cst.ImportAlias(name=cst.Name(target))])]))
            retargeted = True
    if len(body) == len(stmt.body.body) and not retargeted:
        return stmt
    return stmt.with_changes(body=stmt.body.with_changes(body=body))


UNUSED_SOURCE_IMPORT = "imported but unused before the conversion: kept"
UNUSED_TWIN_IMPORT = ("imported but unused before the conversion: msbridge's twin imported instead (nothing reads "
                      "it, and the file no longer needs the source framework)")


def _twin_import(stmt, unused: set[str], target: str):
    """``import torch.multiprocessing as mp`` -> ``import msbridge.torch.multiprocessing as mp`` (and
    ``from torch.utils.data import DataLoader`` likewise) for an import nothing read, when every name it
    binds has a msbridge twin: (the new statement, [(api, twin)]), else None. torch -> MindSpore only."""
    from msbridge.convert.catalog import runtime_exists

    if target != "mindspore" or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if isinstance(small, cst.Import):
        if len(small.names) != 1 or small.names[0].asname is None:
            return None
        name = dotted_name(small.names[0].name)
        if small.names[0].asname.name.value not in unused or not name.startswith("torch.") \
                or not _is_msbridge_module(f"msbridge.{name}"):
            return None
        new = small.with_changes(names=[small.names[0].with_changes(name=_expr(f"msbridge.{name}"))])
        return stmt.with_changes(body=[new]), [(name, f"msbridge.{name}")]
    if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative \
            and not isinstance(small.names, cst.ImportStar):
        module = dotted_name(small.module)
        names = [dotted_name(a.name) for a in small.names]
        locals_ = [a.asname.name.value if a.asname else dotted_name(a.name) for a in small.names]
        if not (module == "torch" or module.startswith("torch.")) or not set(locals_) <= unused \
                or not all(runtime_exists(f"msbridge.{module}.{n}") for n in names):
            return None
        new = small.with_changes(module=_expr(f"msbridge.{module}"))
        return stmt.with_changes(body=[new]), [(f"{module}.{n}", f"msbridge.{module}.{n}") for n in names]
    return None


def _mark_unused_source_import(stmt, unused: set[str], roots) -> cst.SimpleStatementLine:
    """An import of the source framework that nothing read, kept as the user wrote it (not the
    converter's business), but marked: it alone stops the converted file from running without the
    source framework."""
    names = []
    for small in stmt.body:
        if isinstance(small, cst.Import):
            names += [dotted_name(a.name) for a in small.names
                      if (a.asname.name.value if a.asname else dotted_name(a.name).split(".")[0]) in unused]
        elif isinstance(small, cst.ImportFrom) and small.module is not None \
                and not isinstance(small.names, cst.ImportStar):
            module = dotted_name(small.module)
            names += [f"{module}.{dotted_name(a.name)}" for a in small.names
                      if (a.asname.name.value if a.asname else dotted_name(a.name)) in unused]
    names = [n for n in names if _belongs(n, roots)]
    comment = stmt.trailing_whitespace.comment
    if not names or (comment is not None and "msbridge:" in comment.value):
        return stmt
    root = names[0].split(".")[0]
    mark = (f"# msbridge: review: {', '.join(names)}: {UNUSED_SOURCE_IMPORT}, but it stops the file "
            f"from running without {root}: remove it")
    text = mark if comment is None else f"{comment.value}  {mark}"
    return stmt.with_changes(trailing_whitespace=stmt.trailing_whitespace.with_changes(
        whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(text)))


def _locals_bound_by_imports(module: cst.Module) -> set[str]:
    """Local names the top-level import statements bind."""
    names = set()
    for stmt in module.body:
        if not _is_import(stmt):
            continue
        for small in stmt.body:
            if isinstance(small.names, cst.ImportStar):
                continue
            for alias in small.names:
                if alias.asname is not None:
                    names.add(alias.asname.name.value)
                elif isinstance(small, cst.Import):
                    names.add(dotted_name(alias.name).split(".")[0])
                else:
                    names.add(dotted_name(alias.name))
    return names
