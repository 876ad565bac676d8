"""One fast pass with Python's ``ast`` over a file, before any LibCST work.

LibCST keeps every byte but walking its trees is slow; the standard ``ast``
parser is written in C. This pass finds, in one walk:

* the import table (local name -> qualified name);
* what simple names are assigned (is ``lr`` a number or a per-step list?);
* the ``MindSporeLR`` bridges an earlier conversion added, and their lines;
* the ``value_and_grad`` functions of the training-step idiom;
* the top-level statements ("units": statements sharing a line stay together)
  with their line spans, and which are "hot": they mention a framework name, a
  name derived from one, or an idiom method, or import from the source side.
  Only hot units are parsed by LibCST and rewritten; the text of cold ones is
  copied through untouched (most of a real code base: helpers, data, configs).
"""
from __future__ import annotations

import ast
from bisect import bisect_right
from dataclasses import dataclass, field

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
class Unit:
    """One or more top-level statements on lines ``first``..``last`` (1-based, inclusive)."""
    first: int
    last: int
    hot: bool
    names: set[str]


@dataclass
class Scan:
    imports: ImportTable
    assigned: dict[str, ast.expr] = field(default_factory=dict)
    bridges: dict[str, LrBridge] = field(default_factory=dict)      # by optimizer text
    bridge_lines: set[int] = field(default_factory=set)             # statements to drop when folding
    grad_fns: dict[str, GradFn] = field(default_factory=dict)
    units: list[Unit] = field(default_factory=list)
    statement_lines: list[int] = field(default_factory=list)        # every statement's line, source order
    nodes: list[ast.AST] = field(default_factory=list)               # list(ast.walk(tree)): walked once

    @property
    def cold_names(self) -> set[str]:
        """Names read by the statements that are not rewritten."""
        return set().union(*(u.names for u in self.units if not u.hot))

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


def _imports(nodes: list[ast.AST]) -> ImportTable:
    table = ImportTable()
    for node in nodes:
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
    return table.qualify(_dotted(node))


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None) or []
    return min([node.lineno, *(d.lineno for d in decorators)])


def scan(code: str, tree: ast.Module, target: str, idiom_attrs: frozenset[str],
         nodes: list[ast.AST] | None = None, networks: frozenset[str] = frozenset()) -> Scan:
    """``nodes``: ``list(ast.walk(tree))`` when the caller has it (each full walk costs as much as the scan).
    ``networks``: local names of project networks imported from files converted in the same run."""
    nodes = list(ast.walk(tree)) if nodes is None else nodes
    imports = _imports(nodes)
    result = Scan(imports, nodes=nodes)
    interesting = {local for local, full in imports.aliases.items()
                   if framework_of(full) is not None or mirror_framework_of(full) is not None
                   or full.startswith("msbridge.bridge")}   # target names too: their objects are known ones
    interesting |= networks
    assigns: list[tuple[set[str], set[str]]] = []
    hooks: list[tuple[int, str, str]] = []
    positions = []
    for node in nodes:
        if isinstance(node, ast.stmt):
            positions.append((node.lineno, node.col_offset))
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
    classes = [(node.name, {n.id for b in node.bases for n in ast.walk(b) if isinstance(n, ast.Name)})
               for node in nodes if isinstance(node, ast.ClassDef)]
    # receivers of idiom methods (`net.set_train()`): where they are bound decides whether they are renamed
    interesting |= {n.value.id for n in nodes if isinstance(n, ast.Attribute) and n.attr in idiom_attrs
                    and isinstance(n.value, ast.Name)}
    for _ in range(2):  # names derived from framework objects (grad_fn = value_and_grad(...), subclasses, ...)
        for reads, writes in assigns:
            if reads & interesting:
                interesting |= writes
        interesting |= {name for name, bases in classes if bases & interesting}
    result.statement_lines = [line for line, _ in sorted(positions)]
    result.units = _units(tree, interesting, idiom_attrs, _source_roots(target), target, nodes, networks)
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


def _source_roots(target: str) -> tuple[str, ...]:
    return (other(target), f"msbridge.{target}", "msbridge.bridge")


def _method_statement(node: ast.stmt, method: str) -> bool:
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute) and node.value.func.attr == method)


def _names_by_statement(tree, starts, nodes, interesting, idiom_attrs):
    """(names read, hot) of each top-level statement, from the file's one walk (``nodes``), by line.

    A node's line lies in its statement's span (decorators included; statements sharing a line become one
    unit anyway), so no second walk per statement is needed. Should a position fall outside (f-strings had
    position bugs), the statements are walked one by one as before.
    """
    names_of = [set() for _ in starts]
    hot_of = [False] * len(starts)
    body = tree.body
    for sub in nodes:
        if isinstance(sub, ast.Name):
            at = bisect_right(starts, sub.lineno) - 1
            if at < 0 or sub.lineno > body[at].end_lineno:
                break
            names_of[at].add(sub.id)
            hot_of[at] = hot_of[at] or sub.id in interesting
        elif isinstance(sub, ast.Attribute) and sub.attr in idiom_attrs:
            at = bisect_right(starts, sub.lineno) - 1
            if at < 0 or sub.lineno > body[at].end_lineno:
                break
            hot_of[at] = True
    else:
        return names_of, hot_of
    names_of = [set() for _ in starts]
    hot_of = [False] * len(starts)
    for at, node in enumerate(body):
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                names_of[at].add(sub.id)
                hot_of[at] = hot_of[at] or sub.id in interesting
            elif isinstance(sub, ast.Attribute) and sub.attr in idiom_attrs:
                hot_of[at] = True
    return names_of, hot_of


def _imports_network(node: ast.stmt, networks: frozenset[str]) -> bool:
    """An import of a project network nested in ``node`` (``if cfg.net == ...: from src.resnet import ...``)."""
    return bool(networks) and any(isinstance(sub, ast.ImportFrom) and any((a.asname or a.name) in networks
                                                                            for a in sub.names)
                                  for sub in ast.walk(node))


def _guards_source_import(node: ast.stmt, roots: tuple[str, ...]) -> bool:
    """``try: import mindspore.nn as nn`` at the top level, after any statement: the scope analysis must see what
    it binds, and ``fix_imports`` points the guard at the target framework."""
    if not isinstance(node, ast.Try):
        return False
    for stmt in node.body:
        if isinstance(stmt, ast.Import):
            modules = [a.name for a in stmt.names]
        elif isinstance(stmt, ast.ImportFrom) and not stmt.level and stmt.module:
            modules = [stmt.module]
        else:
            continue
        if any(m == r or m.startswith(r + ".") for m in modules for r in roots):
            return True
    return False


def _units(tree, interesting, idiom_attrs, roots, target, nodes, networks=frozenset()) -> list[Unit]:
    units: list[Unit] = []
    leading = True   # the docstring + import block at the top: new imports go there
    starts = [_first_line(node) for node in tree.body]
    names_of, hot_of = _names_by_statement(tree, starts, nodes, interesting, idiom_attrs)
    for node, first, names, hot in zip(tree.body, starts, names_of, hot_of):
        last = node.end_lineno
        is_import = isinstance(node, (ast.Import, ast.ImportFrom))
        is_doc = not units and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
            and isinstance(node.value.value, str)
        leading = leading and (is_import or is_doc or not units)
        # every import and every def/class named like a framework alias: the scope analysis must see
        # each binding of the names it resolves (msbridge.convert.bindings)
        hot = hot or leading or isinstance(node, (ast.Import, ast.ImportFrom)) \
            or (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in interesting) \
            or _imports_network(node, networks) or _guards_source_import(node, roots[:1])
        if units and first <= units[-1].last:        # `a; b` on one line: one unit
            units[-1].last = max(units[-1].last, last)
            units[-1].hot = units[-1].hot or hot
            units[-1].names |= names
        else:
            units.append(Unit(first, last, hot, names))
    if target == "mindspore":   # a top-level zero_grad ... step sequence is rewritten as one block
        statements = list(tree.body)
        for i, node in enumerate(statements):
            if _method_statement(node, "zero_grad"):
                end = next((j for j in range(i, len(statements)) if _method_statement(statements[j], "step")), None)
                if end is not None:
                    for unit in units:
                        if _first_line(node) <= unit.first and unit.last <= statements[end].end_lineno:
                            unit.hot = True
    return units
