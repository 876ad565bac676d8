"""One fast pass with Python's ``ast`` over a file, before any LibCST work.

LibCST keeps every byte but walking its trees is slow; the standard ``ast``
parser is written in C. This pass finds, in one walk:

* the import table (local name -> qualified name);
* what simple names are assigned (is ``lr`` a number or a per-step list?);
* the ``MindSporeLR`` bridges an earlier conversion added, and their lines;
* the ``value_and_grad`` functions of the training-step idiom;
* which top-level statements can need a rewrite at all ("hot": they mention a
  framework name, a name derived from one, or an idiom method). Cold statements
  are never visited by the LibCST transformer, which is most of a real file;
* the first source line of each top-level statement (for report line numbers).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst

from msbridge.convert.catalog import framework_of, mirror_framework_of, other
from msbridge.convert.names import ImportTable

BRIDGE_NAMES = ("msbridge.bridge.MindSporeLR", "msbridge.bridge.mindspore_lr.MindSporeLR")
POST_HOOK = "register_step_post_hook"
VALUE_AND_GRAD = ("mindspore.value_and_grad", "mindspore.ops.value_and_grad",
                  "mindspore.ops.composite.value_and_grad")


@dataclass
class LrBridge:
    optimizer: str       # source text of the optimizer it drives
    learning_rate: str   # source text of the MindSpore LR (list or schedule)
    scheduler: str       # the name the bridge is bound to


@dataclass
class GradFn:
    forward: str
    optimizer: str
    has_aux: bool


@dataclass
class Scan:
    imports: ImportTable
    assigned: dict[str, ast.expr] = field(default_factory=dict)
    bridges: dict[str, LrBridge] = field(default_factory=dict)      # by optimizer text
    bridge_lines: set[int] = field(default_factory=set)             # statements to drop when folding
    grad_fns: dict[str, GradFn] = field(default_factory=dict)
    hot: list[bool] = field(default_factory=list)                   # per LibCST top-level statement
    first_lines: list[int] = field(default_factory=list)
    cold_names: set[str] = field(default_factory=set)               # names read by cold statements

    def value_of(self, text: str) -> ast.expr | None:
        return self.assigned.get(text)


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _imports(tree: ast.Module) -> ImportTable:
    table = ImportTable()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    table.aliases[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    table.aliases[head] = head
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            for alias in node.names:
                if alias.name != "*":
                    table.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return table


def _resolve(table: ImportTable, node: ast.AST) -> str | None:
    name = _dotted(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    target = table.aliases.get(head)
    if target is None:
        return None
    return f"{target}.{rest}" if rest else target


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None) or []
    return min([node.lineno, *(d.lineno for d in decorators)])


def scan(code: str, tree: ast.Module, module: cst.Module, target: str, idiom_attrs: frozenset[str]) -> Scan:
    imports = _imports(tree)
    result = Scan(imports)
    source = other(target)
    interesting = {local for local, full in imports.aliases.items()
                   if framework_of(full) == source or mirror_framework_of(full) == target
                   or full.startswith("msbridge.bridge")}
    assigns: list[tuple[set[str], set[str]]] = []
    hooks: list[tuple[int, str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target_text = _dotted(node.targets[0])
            if target_text is not None:
                result.assigned[target_text] = node.value
            reads = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
            writes = {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            assigns.append((reads, writes))
            value = node.value
            if isinstance(value, ast.Call):
                called = _resolve(imports, value.func)
                if called in BRIDGE_NAMES and len(value.args) == 2 and not value.keywords and target_text:
                    opt, lr = (ast.get_source_segment(code, a) for a in value.args)
                    result.bridges[opt] = LrBridge(opt, lr, target_text)
                    result.bridge_lines.add(node.lineno)
                elif called in VALUE_AND_GRAD and isinstance(node.targets[0], ast.Name):
                    parts = _grad_fn(code, value)
                    if parts is not None:
                        result.grad_fns[node.targets[0].id] = parts
        elif (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
              and isinstance(node.value.func, ast.Attribute) and node.value.func.attr == POST_HOOK
              and len(node.value.args) == 1):
            hooks.append((node.lineno, ast.get_source_segment(code, node.value.func.value),
                          ast.get_source_segment(code, node.value.args[0])))
    for line, opt, hook in hooks:
        bridge = result.bridges.get(opt)
        if bridge is not None and hook.replace(" ", "") == f"lambda*_:{bridge.scheduler}.step()":
            result.bridge_lines.add(line)
    for _ in range(2):  # names derived from framework objects (grad_fn = value_and_grad(...), ...)
        for reads, writes in assigns:
            if reads & interesting:
                interesting |= writes
    _hot_statements(tree, module, interesting, idiom_attrs, result)
    return result


def _grad_fn(code: str, call: ast.Call) -> GradFn | None:
    if len(call.args) != 3 or any(k.arg != "has_aux" for k in call.keywords):
        return None
    fn, position, weights = call.args
    if not (isinstance(position, ast.Constant) and position.value is None):
        return None
    if not (isinstance(weights, ast.Attribute) and weights.attr == "parameters"):
        return None
    has_aux = next((k.value for k in call.keywords), None)
    if has_aux is not None and not (isinstance(has_aux, ast.Constant) and isinstance(has_aux.value, bool)):
        return None
    return GradFn(ast.get_source_segment(code, fn), ast.get_source_segment(code, weights.value),
                  bool(has_aux is not None and has_aux.value))


def _hot_statements(tree, module, interesting, idiom_attrs, result: Scan) -> None:
    statements = list(tree.body)
    i = 0
    for stmt in module.body:
        count = len(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else 1
        group = statements[i:i + count]
        i += count
        if len(group) != count:  # the two parsers disagree: visit everything, trust LibCST
            result.hot = [True] * len(module.body)
            result.first_lines = []
            return
        hot = False
        names = set()
        for node in group:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name):
                    names.add(sub.id)
                    hot = hot or sub.id in interesting
                elif isinstance(sub, ast.Attribute) and sub.attr in idiom_attrs:
                    hot = True
        result.hot.append(hot)
        result.first_lines.append(_first_line(group[0]))
        if not hot:
            result.cold_names |= names
    if i != len(statements):
        result.hot = [True] * len(module.body)
        result.first_lines = []
