"""Convert one file's text: parse, detect direction, rewrite, fix imports.

Nothing from the converted code is executed: the file is only parsed (LibCST)
and the tables are data. A file that does not parse comes back unchanged with
the parser's message in its report.
"""
from __future__ import annotations

import ast

import libcst as cst

from msbridge.convert.catalog import FRAMEWORKS, Catalog, framework_of, mirror_framework_of, other
from msbridge.convert.imports import ImportNeeds, fix_imports, used_names
from msbridge.convert.report import REVIEW, FileReport
from msbridge.convert.rewrite import rewrite
from msbridge.convert.rules.methods import idiom_attributes
from msbridge.convert.scan import scan


def _frameworks(aliases: dict[str, str]) -> set[str]:
    return {framework_of(q) or mirror_framework_of(q) for q in aliases.values()} & set(FRAMEWORKS)


def detect_target(aliases: dict[str, str]) -> str | None:
    """The framework to convert TO: the other one than the file imports (None: both or neither)."""
    used = _frameworks(aliases)
    if len(used) != 1:
        return None
    return "torch" if used == {"mindspore"} else "mindspore"


def convert_source(code: str, to: str | None = None, path: str = "<string>",
                   catalog: Catalog | None = None) -> tuple[str, FileReport]:
    """Return (converted text, report). ``to`` None means: detect from the imports."""
    report = FileReport(path)
    try:
        tree = ast.parse(code)
        module = cst.parse_module(code)
    except SyntaxError as exc:
        report.error = f"does not parse: {exc.msg} (line {exc.lineno})"
        return code, report
    except cst.ParserSyntaxError as exc:
        report.error = f"does not parse: {str(exc).splitlines()[0]} (line {exc.raw_line})"
        return code, report
    imported = _import_targets(tree)
    target = to or detect_target(imported)
    report.direction = target
    if target is None:
        if to is None and _frameworks(imported) == set(FRAMEWORKS):
            report.add("<file>", 1, REVIEW, None, "imports both MindSpore and torch: say which way with --to")
        return code, report
    info = scan(code, tree, module, target, idiom_attributes(target))
    if not any(info.hot):
        return code, report
    # names imported from the source side are about to be replaced: they do not block a target import
    replaced = {local for local, full in info.imports.aliases.items()
                if (framework_of(full) or mirror_framework_of(full)) == other(target) and "." in full}
    needs = ImportNeeds((info.imports.bound_names() - replaced) | set(info.assigned))
    new, rewritten = rewrite(module, target, info, catalog or Catalog(), needs, report)
    if not report.uses:
        return code, report
    used = info.cold_names | used_names(cst.Module(body=rewritten)) if info.first_lines else used_names(new)
    out = fix_imports(new, needs, target, used).code
    report.changed = out != code
    return out, report


def _import_targets(tree: ast.Module) -> dict[str, str]:
    """Qualified names the file imports (enough to tell which framework it uses)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update({a.asname or a.name: a.name for a in node.names})
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
    return names
