"""Convert one file's text: parse, detect direction, rewrite, fix imports.

Nothing from the converted code is executed: the file is only parsed (LibCST)
and the tables are data. A file that does not parse comes back unchanged with
the parser's message in its report.
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert.catalog import FRAMEWORKS, Catalog, framework_of, mirror_framework_of
from msbridge.convert.facts import collect_facts
from msbridge.convert.imports import ImportNeeds, fix_imports
from msbridge.convert.names import collect_imports
from msbridge.convert.report import FileReport
from msbridge.convert.rewrite import rewrite


def detect_target(aliases: dict[str, str]) -> str | None:
    """The framework to convert TO: the other one than the file imports (None: both or neither)."""
    used = {framework_of(q) or mirror_framework_of(q) for q in aliases.values()} & set(FRAMEWORKS)
    if len(used) != 1:
        return None
    return "torch" if used == {"mindspore"} else "mindspore"


def convert_source(code: str, to: str | None = None, path: str = "<string>",
                   catalog: Catalog | None = None) -> tuple[str, FileReport]:
    """Return (converted text, report). ``to`` None means: detect from the imports."""
    report = FileReport(path)
    try:
        module = cst.parse_module(code)
    except cst.ParserSyntaxError as exc:
        report.error = f"does not parse: {str(exc).splitlines()[0]} (line {exc.raw_line})"
        return code, report
    imports = collect_imports(module)
    target = to or detect_target(imports.aliases)
    report.direction = target
    if target is None:
        return code, report
    facts = collect_facts(module, imports)
    needs = ImportNeeds(imports.bound_names() | set(facts.assigned))
    new = rewrite(module, target, imports, facts, catalog or Catalog(), needs, report)
    if not report.uses:
        return code, report
    new = fix_imports(new, needs, target)
    out = new.code
    report.changed = out != code
    return out, report
