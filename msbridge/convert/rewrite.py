"""The LibCST transformer: resolve each framework reference and rewrite it.

Decision per call of a source-framework API (``nn.Dense(...)``), in order:

1. msbridge's runtime twin of a TARGET API (``msbridge.torch.optim.lr_scheduler.StepLR``
   when converting to torch) becomes the real target API: the twin only existed
   because an earlier conversion needed it.
2. LR APIs (rows with a paradigm), APIs whose rows are only approximate or
   impossible, and APIs without a row use msbridge's runtime twin on the target
   framework when there is one (same signature, same numbers): a per-step
   MindSpore LR list has no torch counterpart, a per-epoch torch scheduler none
   in MindSpore's optimizers, MindSpore's Adam rounds differently from torch's.
3. Otherwise the table row translates the call natively (name and arguments).
   A MindSpore optimizer given a per-step LR becomes a torch optimizer plus
   ``MindSporeLR`` (``rules.optimizer_lr``).
4. No row and no runtime twin: the line is marked ``# msbridge: unsupported``.

Only the hot regions of a file reach this transformer (``msbridge.convert.source``);
within them, LibCST keeps the bytes of everything it does not rewrite.
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.arguments import condition_holds, translate
from msbridge.convert.catalog import Catalog, framework_of, mirror_framework_of, other
from msbridge.convert.imports import ImportNeeds
from msbridge.convert.rules import labels, methods, optimizer_lr, param_groups
from msbridge.convert.rules.train_step import TrainStep
from msbridge.convert.scan import BRIDGE_NAMES, Scan
from msbridge.tables import ApiRow

MARK = "# msbridge:"
LR_MODULES = ("torch.optim.lr_scheduler", "mindspore.nn.learning_rate_schedule", "mindspore.nn.dynamic_lr",
              "mindspore.experimental.optim.lr_scheduler")


def _is_lr_api(name: str, row: ApiRow | None) -> bool:
    if any(name.startswith(m + ".") for m in LR_MODULES):
        return True
    if row is None:
        return False
    paradigm = row.paradigm or ""
    return row.torch_step is not None or "schedul" in paradigm or "list" in paradigm


class Rewriter(cst.CSTTransformer):
    def __init__(self, module: cst.Module, target: str, scan: Scan,
                 catalog: Catalog, needs: ImportNeeds, report: rpt.FileReport):
        super().__init__()
        self.module, self.target, self.source = module, target, other(target)
        self.imports, self.scan, self.catalog, self.needs, self.report = scan.imports, scan, catalog, needs, report
        self.statement_lines: list[int] = []       # source lines of the region's statements, in order
        self.cursor = 0
        self.lines = [0]                            # stack: line of the statement being visited
        self.skip_refs: set[int] = set()           # id() of func nodes handled by their call
        self.assign_of: dict[int, str] = {}         # id(call) -> text of the single assignment target
        self.messages: list[list[str]] = [[]]      # per enclosing statement
        self.after: list[list[cst.BaseStatement]] = [[]]
        self.carried: list[cst.EmptyLine] = []      # comment lines of a removed statement, for the next one
        self.carried_depth = 1 << 30                # statement nesting depth they came from
        self.train_step = TrainStep(self)

    # ---- helpers -----------------------------------------------------------------------------
    def code_of(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def line_of(self, node: cst.CSTNode) -> int:
        """The source line of the statement ``node`` is in (from the ``ast`` scan; no LibCST metadata pass)."""
        return self.lines[-1]

    def record(self, node, api, status, target=None, message=""):
        self.report.add(api, self.line_of(node), status, target, message)
        if status != rpt.CONVERTED:
            self.mark(f"{status}: {api}: {message}" if message else f"{status}: {api}")

    def mark(self, text: str) -> None:
        self.messages[-1].append(text)

    def is_source(self, name: str | None) -> bool:
        return name is not None and framework_of(name) == self.source

    def is_twin_of_target(self, name: str | None) -> bool:
        return name is not None and mirror_framework_of(name) == self.target

    # ---- statements: comments and inserted lines ---------------------------------------------
    def visit_SimpleStatementLine(self, node):
        self.messages.append([])
        self.after.append([])
        self.train_step.leftover(node)
        if len(node.body) == 1 and isinstance(node.body[0], cst.Assign) and len(node.body[0].targets) == 1:
            self.assign_of[id(node.body[0].value)] = self.code_of(node.body[0].targets[0].target)

    def leave_SimpleStatementLine(self, original, updated):
        messages, after = self.messages.pop(), self.after.pop()
        if self.target == "mindspore" and self.line_of(original) in self.scan.bridge_lines:
            self.report.add("msbridge.bridge.MindSporeLR", self.line_of(original), rpt.CONVERTED, "learning_rate=",
                            "folded into the MindSpore optimizer's per-step learning_rate")
            self._stash(original)
            return cst.RemoveFromParent()
        replaced = self.train_step.statement(original, updated)
        if isinstance(replaced, cst.RemovalSentinel):
            self._stash(original)   # keep the removed line's comments
            return replaced
        if replaced is not None:
            nodes = list(replaced.nodes) if isinstance(replaced, cst.FlattenSentinel) else [replaced]
            at = 1 if len(nodes) > 1 else 0   # the line that holds the original call
            if messages:
                nodes[at] = _comment(nodes[at], messages, self.module.header)
            nodes[0] = self._carry(nodes[0])
            return cst.FlattenSentinel(nodes)
        if messages:
            updated = _comment(updated, messages, self.module.header)
        updated = self._carry(updated)
        if after:
            return cst.FlattenSentinel([updated, *after])
        return updated

    def _stash(self, removed) -> None:
        if any(line.comment is not None for line in removed.leading_lines):  # blank lines alone may go
            self.carried.extend(removed.leading_lines)
            self.carried_depth = min(self.carried_depth, len(self.lines))

    def _carry(self, stmt):
        """Give the comments of a removed statement to the next one of its block (or an outer one)."""
        if not self.carried or len(self.lines) > self.carried_depth:
            return stmt
        lines, self.carried, self.carried_depth = self.carried, [], 1 << 30
        return stmt.with_changes(leading_lines=[*lines, *stmt.leading_lines])

    def on_visit(self, node):
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            # LibCST statements and ast statements come in the same (source) order
            line = self.statement_lines[min(self.cursor, len(self.statement_lines) - 1)] \
                if self.statement_lines else 0
            self.cursor += len(node.body) if isinstance(node, cst.SimpleStatementLine) else 1
            self.lines.append(line)
        if isinstance(node, cst.BaseCompoundStatement):
            self.messages.append([])
        return super().on_visit(node)

    def on_leave(self, original, updated):
        result = super().on_leave(original, updated)
        if isinstance(original, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            self.lines.pop()
        if isinstance(original, cst.BaseCompoundStatement):
            messages = self.messages.pop()
            if messages and isinstance(result, cst.BaseCompoundStatement):
                result = _comment_above(result, messages, self.module.header)
            if isinstance(result, cst.BaseCompoundStatement):
                result = self._carry(result)
        return result

    def visit_Import(self, node):
        return False

    def visit_ImportFrom(self, node):
        return False

    def visit_IndentedBlock(self, node):
        self.train_step.plan_block(node)

    def leave_IndentedBlock(self, original, updated):
        return self.train_step.block(updated)

    def visit_Module(self, node):
        self.train_step.plan_block(node)

    def leave_Module(self, original, updated):
        return self.train_step.block(updated)

    # ---- classes: construct <-> forward --------------------------------------------------------
    def leave_ClassDef(self, original, updated):
        if not any(self.imports.resolve(b.value) == methods.module_base(self.target) for b in original.bases):
            return updated
        old, new = methods.forward_rename(self.target)
        body = [s.with_changes(name=cst.Name(new)) if isinstance(s, cst.FunctionDef) and s.name.value == old else s
                for s in updated.body.body]
        return updated.with_changes(body=updated.body.with_changes(body=body))

    # ---- references that are not calls (base classes, dtypes, ...) ---------------------------
    def visit_Attribute(self, node):
        if id(node) in self.skip_refs:
            return False
        name = self.imports.resolve(node)
        if self.is_source(name) or self.is_twin_of_target(name):
            return False
        return True

    def leave_Attribute(self, original, updated):
        replaced = self.train_step.attribute(original, updated)
        if replaced is not None:
            return replaced
        return self._reference(original, updated)

    def leave_Name(self, original, updated):
        return self._reference(original, updated)

    def _reference(self, original, updated):
        if id(original) in self.skip_refs:
            return updated
        name = self.imports.resolve(original)
        if name is None or name.count(".") == 0:
            return updated
        if self.is_twin_of_target(name):
            native = name.split(".", 1)[1]
            self.record(original, name, rpt.CONVERTED, native)
            return self.needs.reference(native)
        if not self.is_source(name):
            return updated
        public = self.catalog.public_name(name, self.source)
        rows = self.catalog.rows(name, self.source)
        twin = self.catalog.mirror(public, self.target)
        exact = [r for r in rows if r.exactness not in ("approximate", "impossible")]
        if twin is not None and (not exact or _is_lr_api(public, rows[0] if rows else None)):
            self.record(original, public, rpt.CONVERTED, twin, "msbridge runtime twin (same signature and values)")
            return self.needs.reference(twin)
        if exact:
            row = exact[0]
            native = row.side(self.target).name
            if not any(rule.rule in ("rename", "default_differs", "transform", "split", "merge") for rule in row.args):
                self.record(original, public, rpt.CONVERTED, native)
            else:  # e.g. `layer = nn.Dense`: its later calls keep MindSpore argument names
                self.record(original, public, rpt.REVIEW, native,
                            f"used without a call: its calls must use {native}'s argument names "
                            f"(see `msbridge explain {public}`)")
            return self.needs.reference(native)
        self.record(original, name, rpt.UNSUPPORTED, None, f"no {self.target} counterpart in the mapping tables")
        return updated

    # ---- calls ----------------------------------------------------------------------------------
    def visit_Call(self, node):
        name = labels.source_name(self.imports.resolve(node.func))
        if self.is_source(name) or self.is_twin_of_target(name):
            self.skip_refs.add(id(node.func))

    def leave_Call(self, original, updated):
        name = labels.source_name(self.imports.resolve(original.func))
        if name is None:
            return self.train_step.scalar(updated) or self._method_call(original, updated)
        if name in BRIDGE_NAMES and self.target == "mindspore":
            return updated  # its statement is folded away (scan.bridge_lines)
        folded = param_groups.fold(self, name, updated)
        if folded is not None:
            return folded
        if self.is_twin_of_target(name):
            native = name.split(".", 1)[1]
            self.record(original, name, rpt.CONVERTED, native, "msbridge runtime twin -> native")
            return updated.with_changes(func=self.needs.reference(native))
        if not self.is_source(name):
            return updated
        if self.train_step.owns(original):
            return updated
        public = self.catalog.public_name(name, self.source)
        rows = self.catalog.rows(name, self.source)
        twin = self.catalog.mirror(public, self.target)
        inexact = bool(rows) and all(r.exactness in ("approximate", "impossible") for r in rows)
        if twin is not None and (not rows or inexact or _is_lr_api(public, rows[0])):
            why = (f"no exact {self.target} equivalent ({rows[0].exactness}); " if inexact else "") + \
                "msbridge runtime twin (same signature and values)"
            args, found = param_groups.twin_params(self, rows, original, updated)
            self.record(original, public, rpt.REVIEW if found else rpt.CONVERTED, twin, "; ".join(found) or why)
            return updated.with_changes(func=self.needs.reference(twin), args=args)
        for row in rows:
            result = self._by_row(original, updated, public, row)
            if result is not None:
                return result
        if twin is not None:
            self.record(original, public, rpt.CONVERTED, twin, "msbridge runtime twin (same signature and values)")
            return updated.with_changes(func=self.needs.reference(twin))
        if rows:
            condition = next((c for c in (getattr(r, f"condition_to_{self.target}") for r in rows) if c), None)
            why = (f"applies only when {condition!r}, which does not hold or cannot be checked here" if condition
                   else "cannot be applied at this call site (it needs values known only at run time)")
            self.record(original, public, rpt.REVIEW, None,
                        f"table row {rows[0].id!r} {why}; see `msbridge explain {public}`")
        else:
            self.record(original, public, rpt.UNSUPPORTED, None, f"no {self.target} counterpart in the mapping tables")
        return updated

    def _by_row(self, original, updated, public, row: ApiRow):
        if condition_holds(row, self.source, self.target, updated, self.code_of) is not True:
            return None   # the row does not apply to these arguments (or cannot be shown to)
        if row.exactness == "impossible":   # writing the target API would compute something else
            self.record(original, public, rpt.UNSUPPORTED, None,
                        f"left as {self.source}: {row.side(self.target).name} is not the same algorithm "
                        f"(table row {row.id!r}: {row.exactness_reason})")
            return original   # its arguments stay in the source framework's terms too
        target_ref = row.side(self.target)
        overrides: dict[str, str | None] = {}
        after: list[cst.BaseStatement] = []
        message = ""
        assigned = self.assign_of.get(id(original))
        if optimizer_lr.lr_rule_of(row):
            if self.source == "mindspore":
                value = _lr_value(updated, row, self.code_of)
                if value is not None and optimizer_lr.is_per_step(value, self.scan, self.code_of):
                    if assigned is None:
                        self.record(original, public, rpt.REVIEW, None,
                                    "per-step learning_rate: assign the optimizer to a name so msbridge can attach MindSporeLR")
                        return updated
                    overrides[optimizer_lr.TORCH_LR_ARG] = None
                    bridge = self.needs.reference(optimizer_lr.BRIDGE)
                    _, after = optimizer_lr.bridge_statements(assigned, self.code_of(value), self.code_of(bridge))
                    message = "per-step LR kept exactly by msbridge.bridge.MindSporeLR"
            elif assigned is not None and assigned in self.scan.bridges:
                overrides[optimizer_lr.MINDSPORE_LR_ARG] = self.scan.bridges[assigned].learning_rate
                message = "MindSporeLR folded back into learning_rate"
        translation = translate(row, self.source, self.target, updated, self.code_of, overrides)
        if translation is None:
            return None
        self.after[-1].extend(after)
        found, args, notes = list(translation.problems), translation.args, []
        if "params" in row.side(self.source).names:
            args, more, notes = param_groups.optimizer_params(self, row, original, args)
            found += more
        if translation.dropped and not found:   # converted, and the line says what was dropped (foreach=True)
            self.mark(f"note: {public}: " + "; ".join(translation.dropped))
        message = "; ".join(filter(None, [message, *translation.dropped, *notes,
                                          labels.note(target_ref.name, self.target)]))
        status = rpt.REVIEW if found else rpt.CONVERTED
        text = "; ".join(found) or message
        if row.exactness in ("approximate", "impossible") and status == rpt.CONVERTED:
            status, text = rpt.REVIEW, f"{row.exactness}: {row.exactness_reason}"
        self.record(original, public, status, target_ref.name, text)
        target_name = labels.target_name(target_ref.name, self.target)
        return updated.with_changes(func=self.needs.reference(target_name), args=args)

    def _method_call(self, original, updated):
        func = updated.func
        if not isinstance(func, cst.Attribute):
            return updated
        rename = methods.method_rename(func.attr.value, self.target)
        if rename is None or self.imports.resolve(original.func.value) is not None:
            return updated
        new, args = rename
        self.record(original, f".{func.attr.value}()", rpt.CONVERTED, f".{new}({args or ''})")
        updated = updated.with_changes(func=func.with_changes(attr=cst.Name(new)))
        if args is not None:
            updated = updated.with_changes(args=cst.parse_expression(f"f({args})").args)
        return updated


def _lr_value(call: cst.Call, row: ApiRow, code_of) -> cst.BaseExpression | None:
    names = row.mindspore.names
    index = names.index(optimizer_lr.MINDSPORE_LR_ARG) if optimizer_lr.MINDSPORE_LR_ARG in names else -1
    for i, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == optimizer_lr.MINDSPORE_LR_ARG:
            return arg.value
        if arg.keyword is None and not arg.star and i == index:
            return arg.value
    return None


def _comment(stmt: cst.SimpleStatementLine, messages: list[str], header=()) -> cst.SimpleStatementLine:
    """Add ``# msbridge: ...`` to the line, once (converting twice adds nothing).

    ``header``: the comment lines LibCST gives the module rather than its first statement.
    """
    existing = stmt.trailing_whitespace.comment.value if stmt.trailing_whitespace.comment else ""
    above = "".join(line.comment.value for line in (*header, *stmt.leading_lines) if line.comment)
    new = [m for m in dict.fromkeys(messages) if m not in existing and m not in above]
    if not new:
        return stmt
    text = f"{MARK} " + " | ".join(new)
    if not existing:
        return stmt.with_changes(trailing_whitespace=stmt.trailing_whitespace.with_changes(
            whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(text)))
    line = cst.EmptyLine(indent=True, comment=cst.Comment(text))
    return stmt.with_changes(leading_lines=[*stmt.leading_lines, line])


def _comment_above(stmt, messages: list[str], header=()):
    """Compound statements (``for``, ``class``, ...) get the ``# msbridge:`` line above them."""
    above = "".join(line.comment.value for line in (*header, *stmt.leading_lines) if line.comment)
    new = [m for m in dict.fromkeys(messages) if m not in above]
    if not new:
        return stmt
    line = cst.EmptyLine(indent=True, comment=cst.Comment(f"{MARK} " + " | ".join(new)))
    return stmt.with_changes(leading_lines=[*stmt.leading_lines, line])


class RegionRewriter:
    """Rewrites the hot regions of one file, in order, sharing what earlier regions learned."""

    def __init__(self, target: str, scan: Scan, catalog: Catalog, needs: ImportNeeds, report: rpt.FileReport):
        self.rewriter = Rewriter(cst.Module(body=[]), target, scan, catalog, needs, report)
        self.statement_lines = scan.statement_lines

    def rewrite(self, module: cst.Module, first_line: int, last_line: int) -> cst.Module:
        """Rewrite ``module``: the text of source lines ``first_line``..``last_line``."""
        rewriter = self.rewriter
        rewriter.module = rewriter.train_step.module = module
        # id()-keyed notes are only valid while their nodes live: never carry them to another region
        rewriter.skip_refs.clear()
        rewriter.assign_of.clear()
        rewriter.train_step.lines.clear()
        rewriter.train_step.consumed.clear()
        rewriter.train_step.refused.clear()
        rewriter.train_step.lr_views.clear()
        self.rewriter.statement_lines = [line for line in self.statement_lines if first_line <= line <= last_line]
        self.rewriter.cursor = 0
        return module.visit(self.rewriter)
