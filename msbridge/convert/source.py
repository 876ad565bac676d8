"""Convert one file's text: parse, detect direction, rewrite, fix imports.

Nothing from the converted code is executed: the file is only parsed (LibCST)
and the tables are data. A file that does not parse comes back unchanged with
the parser's message in its report.
"""
from __future__ import annotations

import ast
import re

import libcst as cst

from msbridge.convert.catalog import FRAMEWORKS, Catalog, framework_of, mirror_framework_of, other
from msbridge.convert.project import NONE as NO_NETWORKS
from msbridge.convert.imports import UNUSED_SOURCE_IMPORT, UNUSED_TWIN_IMPORT, ImportNeeds, fix_imports, used_names
from msbridge.convert.report import CONVERTED, REVIEW, FileReport
from msbridge.convert.rewrite import RegionRewriter
from msbridge.convert.rules import guarded_imports, source_libraries
from msbridge.convert.rules.methods import idiom_attributes
from msbridge.convert.scan import scan
from msbridge.convert.walk_ast import walk_all


def _frameworks(aliases: dict[str, str]) -> set[str]:
    """Real frameworks the file imports."""
    return {framework_of(q) for q in aliases.values()} & set(FRAMEWORKS)


def detect_target(aliases: dict[str, str]) -> str | None:
    """The framework to convert TO (None: both or neither imported).

    The other one than the real framework the file imports; a file that only
    uses msbridge's twins (``msbridge.mindspore.nn`` computing on torch) goes
    back to the framework the twins imitate.
    """
    used = _frameworks(aliases)
    if len(used) == 1:
        return other(used.pop())
    twins = {mirror_framework_of(q) for q in aliases.values()} & set(FRAMEWORKS)
    if not used and len(twins) == 1:
        return twins.pop()
    return None


def convert_source(code: str, to: str | None = None, path: str = "<string>",
                   catalog: Catalog | None = None, project=None) -> tuple[str, FileReport]:
    """Return (converted text, report). ``to`` None means: detect from the imports.

    ``project(tree, source, nodes)``: the networks of other files converted in the same run that this file imports
    (``msbridge.convert.project.Project.seen_by``), or None for a file converted alone."""
    report = FileReport(path)
    try:
        tree = ast.parse(code)   # C parser: cheap; LibCST parses only files that need it
    except SyntaxError as exc:
        report.error = f"does not parse: {exc.msg} (line {exc.lineno})"
        return code, report
    nodes = walk_all(tree)   # one walk, read by every whole-file question below
    imported = _import_targets(nodes)
    target = to or detect_target(imported)
    if target is None and to is None and project is not None and not _frameworks(imported):
        # no framework imported, but networks of the tree's files (converted in this run) built here
        target = next((other(source) for source in FRAMEWORKS if project(tree, source, nodes) != NO_NETWORKS), None)
    report.direction = target
    if target is None:
        if to is None and _frameworks(imported) == set(FRAMEWORKS):
            report.add("<file>", 1, REVIEW, None, "imports both MindSpore and torch: say which way with --to")
        return code, report
    networks = project(tree, other(target), nodes) if project is not None else NO_NETWORKS
    if networks == NO_NETWORKS and not any(
            framework_of(q) == other(target) or mirror_framework_of(q) == target or q.startswith("msbridge.bridge")
            for q in imported.values()):
        return code, report   # nothing of the source framework imported: nothing to convert
    network_names = networks.local | {local for local, full in imported.items() if full in networks.qualified}
    info = scan(code, tree, target, idiom_attributes(target), nodes, frozenset(network_names))
    info.tree = tree   # whole-file questions of rules.train_step (where are the gradients used?)
    lines = _split_lines(code)
    # names imported from the source side are about to be replaced: they do not block a target import
    replaced = {local for local, full in info.imports.aliases.items()
                if (framework_of(full) or mirror_framework_of(full)) == other(target) and "." in full}
    needs = ImportNeeds((info.imports.bound_names() - replaced) | set(info.assigned) | _defined_names(info.nodes))
    rewriter = RegionRewriter(target, info, catalog or Catalog(), needs, report, networks)
    rewritten: list[tuple[int, int, cst.Module]] = []
    parsed: list[tuple[int, int, cst.Module]] = []
    for first, last in _regions(info.units, lines):
        text = "".join(lines[first - 1:last])
        try:
            parsed.append((first, last, cst.parse_module(text)))
        except cst.ParserSyntaxError as exc:
            error = f"does not parse: {str(exc).splitlines()[0]} (line {exc.raw_line + first - 1})"
            return code, FileReport(path, target, error=error)
    rewriter.bind([module for _, _, module in parsed])   # one scope analysis over every rewritten statement
    for first, last, module in parsed:
        rewritten.append((first, last, rewriter.rewrite(module, first, last)))
    if not report.uses:
        return code, report
    used = info.cold_names.union(*(used_names(m) for _, _, m in rewritten))
    read_before = set().union(*(u.names for u in info.units))
    # one pass in order (not slice replacement per region, which is quadratic in the region count)
    pieces, done = [], 0
    twinned: list[tuple[str, str]] = []   # unused source imports sent to msbridge's twin modules
    for index, (first, last, module) in enumerate(rewritten):
        pieces.extend(lines[done:first - 1])
        # a region without import lines has nothing to fix (fix_imports copies ``used`` per call:
        # calling it on each of thousands of regions made a file's cost quadratic)
        if index == 0 or _has_import_line(module):
            module = fix_imports(module, needs, target, used, add=index == 0, read_before=read_before,
                                 twinned=twinned)
        pieces.append(module.code)
        done = last
    pieces.extend(lines[done:])
    out = "".join(pieces)
    for number, line in enumerate(_split_lines(out), start=1):
        if UNUSED_SOURCE_IMPORT in line and "# msbridge: review: " in line:
            api, _, message = line.split("# msbridge: review: ", 1)[1].rstrip("\r\n").partition(": ")
            report.add(api, number, REVIEW, None, message)
    for api, twin in twinned:
        number = next((n for n, line in enumerate(_split_lines(out), start=1)
                       if line.lstrip().startswith(("import ", "from ")) and twin.rpartition(".")[0] in line), 0)
        report.add(api, number, CONVERTED, twin, UNUSED_TWIN_IMPORT)
    out = _mark_imports(out, target, path, report)
    report.changed = out != code
    return out, report


def _mark_imports(out: str, target: str, path: str, report: FileReport) -> str:
    """``out`` with the imports it cannot keep as they are marked ``review``, from one parse: libraries built on
    the source framework (timm, mindcv...) and guarded source imports whose fallback the port would take."""
    try:
        tree = ast.parse(out)
    except SyntaxError:
        return out
    lines = out.splitlines(keepends=True)
    nodes = walk_all(tree)
    source_libraries.mark(nodes, lines, other(target), path, report, REVIEW)
    guarded_imports.mark(nodes, lines, other(target), target, report, REVIEW)
    return "".join(lines)


def _defined_names(nodes) -> set[str]:
    """Every name the file binds outside imports (functions, classes, parameters, any assignment target, loop,
    ``with``/``except`` names): a twin imported under one of these names would be shadowed (``def save(...)``
    calling ``save(...)`` would call itself; ``device: torch.device = device(...)`` in a function raised
    UnboundLocalError), so it is imported by module instead."""
    names = set()
    for node in nodes:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def _has_import_line(module: cst.Module) -> bool:
    """A top-level line made only of imports: the lines ``fix_imports`` may drop."""
    return any((isinstance(stmt, cst.SimpleStatementLine) and stmt.body
                and all(isinstance(small, (cst.Import, cst.ImportFrom)) for small in stmt.body))
               or isinstance(stmt, cst.Try)   # a guarded import (imports.fix_imports retargets it)
               for stmt in module.body)


def _split_lines(code: str) -> list[str]:
    """Lines with their endings, numbered as ``ast`` numbers them (only \\n, \\r\\n, \\r end a line)."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", code)


def _regions(units, lines: list[str]) -> list[tuple[int, int]]:
    """Line spans of consecutive hot units (each parsed and rewritten as one LibCST module).

    A region starts with the comment lines right above its first statement:
    LibCST treats them as part of that statement, and a ``# msbridge:`` mark
    placed there by an earlier conversion must be seen (idempotence).
    """
    regions: list[list[int]] = []
    previous_last = 0
    previous_hot = False
    for unit in units:
        if unit.hot:
            if previous_hot:
                regions[-1][1] = unit.last
            else:
                first = unit.first
                while first - 1 > previous_last and lines[first - 2].lstrip().startswith("#"):
                    first -= 1
                regions.append([first, unit.last])
        previous_hot, previous_last = unit.hot, unit.last
    return [tuple(r) for r in regions]


def _import_targets(nodes: list[ast.AST]) -> dict[str, str]:
    """Qualified names the file imports (enough to tell which framework it uses); ``nodes``: ``ast.walk``'s."""
    names = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update({a.asname or a.name: a.name for a in node.names})
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
    return names
