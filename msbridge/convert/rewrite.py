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

What a name means comes from ``msbridge.convert.bindings`` (LibCST's scope analysis):
only a name with one import-sourced qualified name is a framework API, and a method,
dtype or other value is rewritten only where the object it belongs to, or the call it
is passed to, is known to become a target-framework one; elsewhere the line is marked
``review``. A call that stays in one framework while holding objects of the other is
reported as the reason the file will not run.

Only the hot regions of a file reach this transformer (``msbridge.convert.source``);
within them, LibCST keeps the bytes of everything it does not rewrite.
"""
from __future__ import annotations

import ast
import dataclasses
from bisect import bisect_left, bisect_right

import libcst as cst

from msbridge.convert import preference
from msbridge.convert import report as rpt
from msbridge.convert.arguments import condition_holds, translate
from msbridge.convert.bindings import OTHER, SOURCE, TARGET, Bindings
from msbridge.convert.catalog import Catalog, framework_of, mirror_framework_of, other
from msbridge.convert.imports import ImportNeeds
from msbridge.convert.names import base_values
from msbridge.convert.project import NONE as NO_NETWORKS, Networks
from msbridge.convert.rules import (
    callbacks, constant_calls, containers, devices, format_specs, labels, layer_init, loss_scale, methods, optimizer_lr,
    param_groups, shape_varargs, string_code, tensor_methods, twin_calls, twin_limits)
from msbridge.convert.rules import param_writes
from msbridge.convert.rules import (cell_init, clip_grad, layer_attr_names, layer_attrs, legacy_variable, module_mode,
                                    module_values, named_parameters, negative_steps, norm_params, optimizer_params,
                                    twin_natives, type_refs)
from msbridge.convert.rules.checkpoint import CheckpointCalls
from msbridge.convert.rules.class_values import ClassValues
from msbridge.convert.rules.default_mode import DefaultMode
from msbridge.convert.rules.factory_kwargs import FactoryKwargs
from msbridge.convert.rules.operator_instances import OperatorInstances
from msbridge.convert.rules.optimizer_state import OptimizerState
from msbridge.convert.rules.train_step import TrainStep
from msbridge.convert.scan import BRIDGE_NAMES, Scan
from msbridge.convert.visiting import COMPOUND, NoFieldHooks, formatting, statement_kind
from msbridge.convert.walk import walk
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


class Rewriter(NoFieldHooks, cst.CSTTransformer):
    def __init__(self, module: cst.Module, target: str, scan: Scan,
                 catalog: Catalog, needs: ImportNeeds, report: rpt.FileReport):
        super().__init__()
        self.module, self.target, self.source = module, target, other(target)
        self.imports, self.scan, self.catalog, self.needs, self.report = scan.imports, scan, catalog, needs, report
        self._defined: set[str] | None = None   # names of the file's functions and methods (_functions_defined)
        self.statement_lines: list[int] = []       # source lines of the region's statements, in order
        self.cursor = 0
        self.lines = [0]                            # stack: line of the statement being visited
        self.skip_refs: set[int] = set()           # id() of func nodes handled by their call
        self.called_funcs: set[int] = set()        # id() of every call's func node (`x.parameters()`, not a value)
        self.optimizer_names: set[str] | None = None   # rules.optimizer_params, computed on first need
        self.type_refs: dict[int, str] = {}        # id() of references named as a type (rules.type_refs)
        self.written_attributes: set[int] = set()  # id() of `x.gamma`-like assignment targets (rules.norm_params)
        self.param_writes: set[int] = set()   # id() of `m.weight = initializer(...)` targets (rules.param_writes)
        self.layer_classes: dict[int, str] = {}     # id(call) -> the class it builds once converted (rules.layer_attrs)
        self.class_attributes: dict[int, dict] = {}  # id(ClassDef) -> attr -> values assigned to self.attr
        self.assign_of = _AssignTargets(self)      # id(call) -> text of the single assignment target
        self.discarded: set[int] = set()   # id(call) of calls that are a whole statement (the result unused)
        self.messages: list[list[str]] = [[]]      # per enclosing statement
        self.after: list[list[cst.BaseStatement]] = [[]]
        self.carried: list[cst.EmptyLine] = []      # comment lines of a removed statement, for the next one
        self.carried_depth = 1 << 30                # statement nesting depth they came from
        self.train_step = TrainStep(self)
        self.checkpoint = CheckpointCalls(self)   # save/load checkpoint calls (rules.checkpoint)
        self.optimizer_state = OptimizerState(self)   # optimizer/scheduler state_dict calls (rules.optimizer_state)
        self.operators = OperatorInstances(self)   # self.mean = ops.ReduceMean(...) folded (rules.operator_instances)
        self.class_values = ClassValues(self)      # norm_layer([d], epsilon=...) through a marked class reference
        self.bindings: Bindings | None = None
        self.project: Networks = NO_NETWORKS        # networks imported from files of the same run
        self.consumer_of: dict[int, cst.Call] = {}  # id(argument expression) -> the call it is passed to
        self.called: set[int] = set()   # id(func expression) of every call visited (`x.size` read vs `x.size()`)
        self.recorded = None                        # (index, use) of the last report entry
        self.held: list[list[tuple[str, str]]] = [[]]  # per open call: (kind, api) of objects built inside it
        self.base_refs: set[int] = set()            # id() of class-base expressions (rules.containers)
        self.classes: list[cst.ClassDef] = []        # the classes being visited, innermost last
        self.constants: set[int] = set()            # id() of calls replaced by a constant (rules.constant_calls)
        self.device_moves: set[int] = set()         # id() of device moves removed (rules.devices)
        self.factory = FactoryKwargs(self)          # dd = {'device': ..., 'dtype': ...} ... **dd (torch -> MindSpore)
        self.default_mode = DefaultMode(self)       # Net() -> Net().eval() / .set_train(): the source's default mode

    # ---- helpers -----------------------------------------------------------------------------
    def code_of(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def line_of(self, node: cst.CSTNode) -> int:
        """The source line of the statement ``node`` is in (from the ``ast`` scan; no LibCST metadata pass)."""
        return self.lines[-1]

    def record(self, node, api, status, target=None, message=""):
        self.report.add(api, self.line_of(node), status, target, message)
        self.recorded = (len(self.report.uses) - 1, self.report.uses[-1])
        if status != rpt.CONVERTED:
            self.mark(f"{status}: {api}: {message}" if message else f"{status}: {api}")

    def mark(self, text: str) -> None:
        if "\n" in text or "\r" in text:   # a comment is one line (code quoted in it may span several)
            text = " ".join(text.split())
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
            self.assign_of[id(node.body[0].value)] = node.body[0].targets[0].target
        self.discarded.update(id(s.value) for s in node.body if isinstance(s, cst.Expr))

    def leave_SimpleStatementLine(self, original, updated):
        messages, after = self.messages.pop(), self.after.pop()
        if self.operators.removes(original):   # a folded operator instance: no MindSpore object is left
            self._stash(original)
            return cst.RemoveFromParent()
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
        if formatting(type(node)):
            return False   # whitespace, commas, operators: no hook of this class rewrites them or their parts
        kind = statement_kind(type(node))
        if kind:
            # LibCST statements and ast statements come in the same (source) order
            line = self.statement_lines[min(self.cursor, len(self.statement_lines) - 1)] \
                if self.statement_lines else 0
            self.cursor += len(node.body) if isinstance(node, cst.SimpleStatementLine) else 1
            self.lines.append(line)
        elif type(node) is cst.SimpleStatementSuite:
            # `if c: x = f(x)`: ast counts the statements after the colon, LibCST holds them in no statement line;
            # skipping them shifted every later statement's reported line (they share their header's line)
            self.cursor += len(node.body)
        if kind == COMPOUND:
            self.messages.append([])
        return super().on_visit(node)

    def on_leave(self, original, updated):
        result = super().on_leave(original, updated)
        kind = statement_kind(type(original))
        if kind:
            self.lines.pop()
        if kind == COMPOUND:
            messages = self.messages.pop()
            if messages and isinstance(result, cst.BaseCompoundStatement):
                result = _comment_above(result, messages, self.module.header)
            if isinstance(result, cst.BaseCompoundStatement):
                result = self._carry(result)
        return result

    def visit_Import(self, node):
        return False

    def _mark_targets(self, node):
        """Attributes written here (assigned, deleted, bound by for/with/a comprehension) are writes, not reads."""
        norm_params.mark_targets(self, node)

    visit_AugAssign = visit_AnnAssign = visit_Del = visit_For = visit_CompFor = visit_WithItem = _mark_targets

    def visit_Assign(self, node):
        self._mark_targets(node)
        param_writes.plan(self, node)   # `m.weight = initializer(...)`: MindSpore sets the Parameter's data

    def visit_Annotation(self, node):
        type_refs.mark_annotation(self, node)

    def visit_Comparison(self, node):
        type_refs.mark_comparison(self, node)   # type(m) == nn.Conv2d

    def leave_Comparison(self, original, updated):
        return type_refs.comparison(self, original, updated)

    def visit_ImportFrom(self, node):
        return False

    def visit_IndentedBlock(self, node):
        self.train_step.plan_block(node)
        self.default_mode.plan_block(node.body)

    def leave_IndentedBlock(self, original, updated):
        return self.train_step.block(updated)

    def visit_Module(self, node):
        self.train_step.plan_block(node)
        self.default_mode.plan_block(node.body)

    def leave_Module(self, original, updated):
        return self.train_step.block(updated)

    def visit_FunctionDef(self, node):
        self.class_values.enter_function(node)
        self.factory.enter_function(node)

    def leave_FunctionDef(self, original, updated):
        self.class_values.leave_function()
        self.factory.leave_function()
        return updated

    # ---- classes: construct <-> forward --------------------------------------------------------
    def visit_ClassDef(self, node):
        self.classes.append(node)
        self.base_refs.update(id(base.value) for base in node.bases)
        if self.bindings is not None:
            kind = self._class_kind(node)
            self.bindings.enter_class(node, kind)
            callbacks.bind_hooks(self, node, kind)
        self.operators.enter_class(node)

    def _class_kind(self, node: cst.ClassDef) -> str | None:
        """TARGET when a base becomes (or is) a target-framework class, SOURCE when one stays in the source."""
        kinds = set()
        for value in base_values(node):
            name = self.imports.resolve(value)
            if self.bindings.project_name(value) in self.project.classes:
                kinds.add(TARGET)   # a network class of another file of the run
            elif name is None:
                kinds.add(self.bindings.kind(value))
            elif self.is_source(name):
                public = self.catalog.public_name(name, self.source)
                convertible = self.catalog.rows(name, self.source) or self.catalog.mirror(public, self.target)
                kinds.add(TARGET if convertible else SOURCE)
            elif framework_of(name) == self.target or self.is_twin_of_target(name):
                kinds.add(TARGET)
        return SOURCE if SOURCE in kinds else TARGET if TARGET in kinds else None

    def _derives_from_module_base(self, node: cst.ClassDef) -> bool:
        for value in base_values(node):
            name = self.imports.resolve(value)
            # `from torch.nn.modules.module import Module` (pygcn) is torch.nn.Module by its longer spelling
            if name is not None and self.catalog.public_name(name, self.source) == methods.module_base(self.target):
                return True
            if isinstance(value, cst.Name) and self.bindings is not None \
                    and self.imports.resolve(value) is None and self.bindings.kind(value) == TARGET:
                return True   # a class of this file that derives from it (not an import: an msbridge
                # MindSpore-shaped base such as msbridge.mindspore.nn.optim.Optimizer keeps `construct`)
        return False

    def leave_ClassDef(self, original, updated):
        self.classes.pop()
        self.operators.leave_class()
        if not self._derives_from_module_base(original):
            return updated
        old, new = methods.forward_rename(self.target)
        body = [s.with_changes(name=cst.Name(new)) if isinstance(s, cst.FunctionDef) and s.name.value == old else s
                for s in updated.body.body]
        # `self.forward(x)` inside the class calls the method just renamed (vit-pytorch's cct: AttributeError)
        body = [s.visit(_SelfMethodRename(old, new)) if _reads_self_method(s, old) else s for s in body]
        return updated.with_changes(body=updated.body.with_changes(body=body))

    # ---- references that are not calls (base classes, dtypes, ...) ---------------------------
    def visit_Attribute(self, node):
        if id(node) in self.skip_refs:
            return False
        name = self.imports.resolve(node)
        if self.is_source(name) or self.is_twin_of_target(name):
            return False
        return True

    def leave_Assign(self, original, updated):
        replaced = param_writes.assignment(self, original, updated)
        if replaced is not None:
            return replaced
        updated = self.factory.assignment(original, updated)
        if self.bindings is not None:
            # `x = nn.BatchNorm2d` rewritten to the target's class: x holds a target object, as a second
            # run over the output will see it
            rewritten = isinstance(original.value, (cst.Name, cst.Attribute)) and updated.value is not original.value \
                and self.is_source(self.imports.resolve(original.value))
            self.bindings.bind_assignment(original, TARGET if rewritten else None)
        return updated

    def leave_FormattedStringExpression(self, original, updated):
        return format_specs.fstring_field(self, original, updated)   # f"{loss:.3f}": a 0-d tensor's number, as torch formats

    def leave_Attribute(self, original, updated):
        if id(original) in self.param_writes:
            return updated   # the target of `m.weight = initializer(...)`: rules.param_writes' twin takes the name
        replaced = self.train_step.attribute(original, updated)
        if replaced is not None:
            return replaced
        twin = tensor_methods.attribute_twin(self, original, updated)   # MindSpore's `x.size`, torch's `x.is_cuda`
        if twin is not None:
            return twin
        renamed = layer_attrs.attribute(self, original, updated)   # `self.emb.weight` on a MindSpore Embedding
        if renamed is not None:
            return renamed
        renamed = norm_params.attribute(self, original, updated)   # `cell.gamma` on a torch norm layer
        if renamed is not None:
            return renamed
        listed = optimizer_params.attribute(self, original, updated)   # a MindSpore optimizer's `.parameters`
        if listed is not None:
            return listed
        return self._reference(original, updated)

    def leave_Subscript(self, original, updated):
        replaced = negative_steps.subscript(self, original, updated)   # `x[:, ::-1]` on a torch tensor
        return updated if replaced is None else replaced

    def leave_Name(self, original, updated):
        return self._reference(original, updated)

    def _reference(self, original, updated):
        if id(original) in self.skip_refs:
            return updated
        name = self.imports.resolve(original)
        if name is None:
            return updated
        if name.count(".") == 0 or self.catalog.is_module(name):
            # a module is not an API: its uses (`nn.X`) are rewritten, not it; here nothing follows it
            problem = module_values.problem(self, name)   # hasattr(torch.nn.functional, ...)
            if problem is not None:
                self.record(original, name, rpt.REVIEW, None, problem)
            return updated
        if self.is_twin_of_target(name):   # a reference, not a call (rules.twin_natives)
            return twin_natives.reference(self, name, original, updated)
        if not self.is_source(name):
            return updated
        as_type = type_refs.convert(self, original, name)
        if as_type is not None:
            return as_type
        public = self.catalog.public_name(name, self.source)
        rows = self.catalog.rows(name, self.source)
        twin = self.catalog.mirror(public, self.target)
        exact = [r for r in rows if r.exactness not in ("approximate", "impossible")]
        if exact and _is_value_row(exact[0]):
            return self._value(original, updated, public, exact[0])
        if twin is not None and (not exact or _is_lr_api(public, rows[0] if rows else None)):
            self.record(original, public, rpt.CONVERTED, twin, "msbridge runtime twin (same signature and values)")
            return devices.flag_reference(self, twin) or self.needs.reference(twin)
        if exact:
            row = exact[0]
            native = row.side(self.target).name
            # any argument that is not the same on both sides (also one only torch or only MindSpore takes, like
            # torch's `inplace`): later calls of the reference may pass it
            source_only = f"{self.source}_only"   # an argument the source's calls may pass and the target lacks
            differs = ("rename", "default_differs", "transform", "split", "merge") + \
                ((source_only,) if row.category != "class" else ())   # a base class is not called
            problem = containers.reference_problem(public, self.target) if id(original) in self.base_refs else None
            if problem is not None:
                self.record(original, public, rpt.REVIEW, native, problem)
            elif not any(rule.rule in differs for rule in row.args):
                self.record(original, public, rpt.CONVERTED, native)
            elif twin is not None and id(original) not in self.base_refs:
                # `conv_layer=nn.Conv2d` called later as `conv_layer(..., bias=True)`: msbridge's twin takes the
                # source's argument names and computes the same (timm vgg failed unflagged with the native class);
                # both ways: mindcv's `norm_layer=nn.LayerNorm` becomes msbridge.mindspore.nn.LayerNorm
                self.record(original, public, rpt.CONVERTED, twin,
                            "used without a call: msbridge's twin takes the calls' own argument names")
                return self.needs.reference(twin)
            else:  # e.g. `layer = nn.Dense`: its later calls keep MindSpore argument names
                self.record(original, public, rpt.REVIEW, native,
                            f"used without a call: its calls must use {native}'s argument names "
                            f"(see `msbridge explain {public}`)")
                self.class_values.bound(original, native)   # ... and those calls are marked too
            return self.needs.reference(native)
        self.record(original, name, rpt.UNSUPPORTED, None, f"no {self.target} counterpart in the mapping tables")
        return updated

    def _value(self, original, updated, public: str, row: ApiRow):
        """A dtype (or other value): rewritten only where what consumes it becomes a target-framework API."""
        native = row.side(self.target).name
        consumer = self.consumer_of.get(id(original))
        kind = self._consumer_kind(consumer) if consumer is not None else None
        if kind == TARGET:
            self.record(original, public, rpt.CONVERTED, native)
            return self.needs.reference(native)
        source_name = _FRAMEWORK_NAMES[self.source]
        if kind == SOURCE:
            what = self._call_text(consumer)
            self.record(original, public, rpt.REVIEW, None,
                        f"passed to `{what}`, which stays {source_name}: kept as {source_name}'s dtype")
        else:
            where = f"passed to `{self._call_text(consumer)}`" if consumer is not None else "not passed to a call"
            self.record(original, public, rpt.REVIEW, None,
                        f"{where}: not known to reach a {_FRAMEWORK_NAMES[self.target]} API, so it is kept; "
                        f"write {native} where a {_FRAMEWORK_NAMES[self.target]} API takes it")
        return updated

    def _call_text(self, call: cst.Call) -> str:
        func = call.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
            # a method of a call's result (`mindspore.Tensor(v).astype`): the call may be rewritten, and a
            # second run must quote the same text
            return f"(...).{func.attr.value}(...)"
        return _short(self.code_of(func)) + "(...)"

    def _consumer_kind(self, call: cst.Call) -> str | None:
        """Whether the call an argument is passed to becomes (TARGET) or stays (SOURCE) a framework API."""
        name = self.imports.resolve(call.func)
        if name is not None:
            if self.is_source(name):
                return TARGET if self._will_convert(name) else SOURCE
            if framework_of(name) == self.target or self.is_twin_of_target(name):
                return TARGET
            return None
        if self.operators.folds(call) or tensor_methods.applies(self, call):   # `self.cast(x, t)`, `x.astype(t)`
            return TARGET
        if isinstance(call.func, cst.Call):   # `P.Cast()(x, dtype)`: the object the inner call builds
            return self._consumer_kind(call.func)
        return None

    def _will_convert(self, name: str) -> bool:
        public = self.catalog.public_name(name, self.source)
        return bool(self.catalog.rows(name, self.source)) or self.catalog.mirror(public, self.target) is not None

    # ---- calls ----------------------------------------------------------------------------------
    def visit_Call(self, node):
        self.called_funcs.add(id(node.func))
        name = labels.source_name(self.imports.resolve(node.func))
        if self.is_source(name) or self.is_twin_of_target(name):
            self.skip_refs.add(id(node.func))
        for arg in node.args:
            self.consumer_of[id(arg.value)] = node
        type_refs.mark_check(self, node)
        self.called.add(id(node.func))
        self.operators.visit_call(node)
        self.default_mode.visit_call(node)
        self.held.append([])

    def leave_Call(self, original, updated):
        held = self.held.pop()
        self.recorded = None
        updated = format_specs.format_call(self, original, updated) or updated   # '{:.4f}'.format(loss): a 0-d tensor
        result = self._call(original, updated)
        layer_attrs.note_call(self, original, updated, result)   # `self.emb = nn.Embedding(...)`: its class
        if self.bindings is None or id(original) in self.operators.inline_ctors:   # P.X() of P.X()(args): folded
            return result
        if id(original) in self.constants:   # a call replaced by a constant (rules.constant_calls)
            self.bindings.calls[id(original)] = OTHER
            return result
        if id(original) in self.device_moves:   # a device move removed (rules.devices): the receiver is the value
            self.bindings.calls[id(original)] = devices.receiver_kind(self, original)
            self.held[-1].extend(held)
            return result
        kind = self._result_kind(original, updated, result)
        self.bindings.calls[id(original)] = kind
        held += self._held_arguments(original)
        if kind in (TARGET, SOURCE):
            self._mixed(original, result, kind, held)
            api = self.code_of(result.func if isinstance(result, cst.Call) else result) if kind == TARGET else \
                self.catalog.public_name(self.imports.resolve(original.func) or self.code_of(original.func), self.source)
            self.held[-1].append((kind, api))
        else:
            self.held[-1].extend(held)
        return self.default_mode.leave_call(original, result, kind)

    def _result_kind(self, original, updated, result) -> str | None:
        if id(original) in self.operators.folded:   # an operator instance's call, now the target's function
            return TARGET
        name = labels.source_name(self.imports.resolve(original.func))
        if self.is_source(name) or self.is_twin_of_target(name):
            if self.train_step.owns(original) or (name in BRIDGE_NAMES and self.target == "mindspore"):
                return None
            rewritten = not isinstance(result, cst.Call) or result.func is not updated.func
            return TARGET if rewritten else SOURCE
        return self.bindings.call_kind(original)

    def _held_arguments(self, call: cst.Call) -> list[tuple[str, str]]:
        """(kind, text) of the names passed to ``call`` (directly or in a list/tuple) that hold framework objects."""
        found = []
        for arg in call.args:
            values = [e.value for e in arg.value.elements] if isinstance(arg.value, (cst.List, cst.Tuple)) \
                else [arg.value]
            for value in values:
                if isinstance(value, (cst.Name, cst.Attribute)) and self.imports.resolve(value) is None:
                    kind = self.bindings.kind(value)
                    if kind in (TARGET, SOURCE):
                        found.append((kind, self.code_of(value)))
        return found

    def _mixed(self, original, result, kind: str, held: list[tuple[str, str]]) -> None:
        """A call that stays in one framework while holding objects of the other: say why it will not run."""
        other_kind = SOURCE if kind == TARGET else TARGET
        inside = list(dict.fromkeys(api for k, api in held if k == other_kind))
        if not inside:
            return
        source_name, target_name = _FRAMEWORK_NAMES[self.source], _FRAMEWORK_NAMES[self.target]
        if kind == SOURCE:
            api = self.catalog.public_name(self.imports.resolve(original.func) or self.code_of(original.func),
                                           self.source)
            text = (f"mixes frameworks: {api} stays {source_name} but holds {target_name} objects "
                    f"({', '.join(inside)}): the file will not run until {api} is ported")
        else:
            api = _short(self.code_of(result.func if isinstance(result, cst.Call) else result))
            text = (f"mixes frameworks: {api} holds {source_name} objects that stay {source_name} "
                    f"({', '.join(inside)}): it will not run until they are ported")
        if self.recorded is not None:
            index, use = self.recorded
            status = rpt.REVIEW if use.status == rpt.CONVERTED else use.status
            new = dataclasses.replace(use, status=status, message=f"{use.message}; {text}" if use.message else text)
            self.report.uses[index] = new
            if kind == TARGET:   # the same mark a second run writes, where the call is already native
                self.mark(f"review: {api}: {text}")
                return
            old_mark = f"{use.status}: {use.api}: {use.message}" if use.message else f"{use.status}: {use.api}"
            marks = self.messages[-1]
            if old_mark in marks:
                marks.remove(old_mark)
            self.mark(f"{status}: {new.api}: {new.message}")
        else:
            self.report.add(api, self.line_of(original), rpt.REVIEW, None, text)
            self.mark(f"review: {api}: {text}")

    def _call(self, original, updated):
        problem = self.class_values.problem(original)
        if problem is not None:
            self.record(original, self.code_of(original.func), rpt.REVIEW, None, problem)
            return updated
        hidden = string_code.problem(self, original)   # eval("nn.GELU"): names the converter cannot see
        if hidden is not None:
            self.record(original, hidden[0], rpt.REVIEW, None, hidden[1])
            return updated
        rewritten = self.checkpoint.call(original, updated)
        if rewritten is not None:
            return rewritten
        rewritten = self.operators.constructor(original, updated) or self.operators.use(original, updated)
        if rewritten is not None:
            return rewritten
        constant = constant_calls.replace(self.imports.resolve(original.func), self.target, original)
        if constant is not None:   # torch.jit.is_scripting() is False on MindSpore
            self.record(original, self.imports.resolve(original.func), rpt.CONVERTED, constant[0].value, constant[1])
            self.constants.add(id(original))
            return constant[0]
        moved = devices.move(self, original, updated)   # x.to(device) / .cuda() / .cpu() -> x (rules.devices)
        if moved is not None:
            self.device_moves.add(id(original))
            return moved
        name = labels.source_name(self.imports.resolve(original.func))
        if name is None:
            maybe = self.bindings.ambiguous(original.func) if self.bindings is not None else []
            if any(self.is_source(m) for m in maybe):
                head = self.code_of(original.func).split(".", 1)[0]
                self.record(original, maybe[0], rpt.REVIEW, None,
                            f"`{head}` is bound to {' and '.join(maybe)} and to something else: left as is")
                return updated
            named = layer_attr_names.call(self, original, updated)   # hasattr(m, "weight") on a layer
            if named is not None:
                return named
            applied = self.train_step.call_of_optimizer(original, updated)   # optimizer(grads) of a kept step
            if applied is not None:
                return applied
            return self.train_step.scalar(updated) or self._method_call(original, updated)
        if name in BRIDGE_NAMES and self.target == "mindspore":
            return updated  # its statement is folded away (scan.bridge_lines)
        folded = param_groups.fold(self, name, updated)
        if folded is not None:
            return folded
        if self.is_twin_of_target(name):   # the native form, or review (rules.twin_natives)
            return twin_natives.call(self, name, original, updated)
        if not self.is_source(name):   # msbridge's helper of the framework converted away from (rules.twin_natives)
            back = twin_natives.bridge_call(self, name, original, updated) if name.startswith("msbridge.bridge.") \
                else None
            return updated if back is None else back
        if self.train_step.owns(original):
            return updated
        unwrapped = legacy_variable.call(self, name, original, updated)   # torch.autograd.Variable(t): t
        if unwrapped is not None:
            return unwrapped
        updated = self.factory.strip(updated)   # `**dd` of a device/dtype dict passes nothing (rules.factory_kwargs)
        public = self.catalog.public_name(name, self.source)
        rows = self.catalog.rows(name, self.source)
        twin = self.catalog.mirror(public, self.target)
        inexact = bool(rows) and all(r.exactness in ("approximate", "impossible") for r in rows) \
            and not any(preference.native(r) for r in rows)   # --prefer native: the row, not the twin
        stateful = self.optimizer_state.keeps_torch_state(public, self.assign_of.get(id(original)))
        called = next(filter(None, (preference.called_otherwise(r, self.target) for r in rows)), None)
        if twin is not None and (not rows or inexact or stateful or called or _is_lr_api(public, rows[0])):
            why = (f"no exact {self.target} equivalent ({rows[0].exactness}); " if inexact else "") + \
                (f"{stateful}; " if stateful else "") + (f"{called}; " if called else "") + \
                "msbridge runtime twin (same signature and values)"
            args, found = param_groups.twin_params(self, rows, original, updated)
            found += twin_limits.refused(self, public, original) + twin_calls.problems(self, public, original)
            self.record(original, public, rpt.REVIEW if found else rpt.CONVERTED, twin, "; ".join(found) or why)
            return updated.with_changes(func=self.needs.reference(twin), args=args)
        scaled = loss_scale.to_twin(self, public, rows, original, updated)
        if scaled is not None:
            return scaled
        result = containers.call(self, original, updated, public, rows)
        if result is not None:
            return result
        for row in rows:
            result = self._by_row(original, updated, public, row, called=name)
            if result is not None:
                return result
        if twin is not None:   # the row's condition does not hold here: the twin, where it runs these arguments
            refused = twin_limits.refused(self, public, original)
            self.record(original, public, rpt.REVIEW if refused else rpt.CONVERTED, twin,
                        "; ".join(refused) or "msbridge runtime twin (same signature and values)")
            return updated.with_changes(func=self.needs.reference(twin))
        if rows:
            condition = next((c for c in (getattr(r, f"condition_to_{self.target}") for r in rows) if c), None)
            why = (f"applies only when {condition!r}, which does not hold or cannot be checked here" if condition
                   else "cannot be applied at this call site (it needs values known only at run time)")
            self.record(original, public, rpt.REVIEW, None,
                        f"table row {rows[0].id!r} {why}; see `msbridge explain {public}`")
        else:
            self.record(original, public, rpt.UNSUPPORTED, None, clip_grad.outside_step(public, self.target)
                        or f"no {self.target} counterpart in the mapping tables")
        return updated

    def _by_row(self, original, updated, public, row: ApiRow, called: str | None = None):
        """``called``: the API the call names, when it may be another spelling of the row's (arguments.translate)."""
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
                    kept = self._source_calls_in(_lr_value(original, row, self.code_of))
                    if kept:   # `learning_rate=Tensor(lr)`: the bridge line would carry MindSpore's Tensor along
                        self.record(original, public, rpt.REVIEW, None,
                                    f"per-step learning_rate built with {', '.join(kept)}, which stays "
                                    f"{_FRAMEWORK_NAMES[self.source]}: pass the plain list or number")
                        return original   # the call stays as written, its arguments too
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
        updated = shape_varargs.pack(public, updated)   # torch.zeros(2, 3): one shape argument
        call, init_lines, wrap = layer_init.plan(self, row, updated, assigned)   # weight_init= etc. after construction
        overrides.update(layer_init.target_args(self, row))
        translation = translate(row, self.source, self.target, call, self.code_of, overrides, called=called)
        if translation is None:
            return None
        self.after[-1].extend(after + [cst.parse_statement(line + "\n") for line in init_lines])
        found, args, notes = list(translation.problems), translation.args, []
        args = shape_varargs.positional_size(target_ref.name, args)
        found += shape_varargs.scalar_shape_problems(target_ref.name, args)
        if "params" in row.side(self.source).names:
            args, more, notes = param_groups.optimizer_params(self, row, original, args)
            found += more
        if id(original) in self.discarded and any(d.startswith("dropped inplace=") for d in translation.dropped):
            # `F.relu(x, inplace=True)` as a statement: without the flag the line computes a value and drops it
            found.append("inplace= dropped where the result is not used: the statement no longer changes its input; "
                         "assign the result (x = ...)")
        if translation.dropped and not found:   # converted, and the line says what was dropped (foreach=True)
            self.mark(f"note: {public}: " + "; ".join(translation.dropped))
        message = "; ".join(filter(None, [message, *translation.dropped, *notes,
                                          labels.note(target_ref.name, self.target)]))
        status = rpt.REVIEW if found else rpt.CONVERTED
        text = "; ".join(found) or message
        if row.exactness in ("approximate", "impossible") and status == rpt.CONVERTED:
            if preference.native(row):   # the user accepted the row's measured tolerance: converted, and said
                text = preference.accepted(row)
                self.mark(f"note: {public}: {preference.short(row, target_ref.name)}")
                self.report.notes.append(f"line {self.line_of(original)}: {public}: {text}")
            else:
                status, text = rpt.REVIEW, f"{row.exactness}: {row.exactness_reason}"
        self.record(original, public, status, target_ref.name, text)
        target_name = labels.target_name(target_ref.name, self.target)
        result = updated.with_changes(func=self.needs.reference(target_name), args=args)
        if wrap is not None:   # a layer call not assigned to a name: its inits applied by a wrapping call
            result = cst.parse_expression(wrap.format(self.code_of(result)))
        return result

    by_row = _by_row   # for rules that adjust a call before the row translates it (rules.containers)

    def _source_calls_in(self, node: cst.CSTNode | None) -> list[str]:
        """Source-framework APIs called inside ``node`` (an original node) that stay unconverted, in order."""
        found: list[str] = []

        class _Calls(cst.CSTVisitor):
            def visit_Call(inner, call):
                name = self.imports.resolve(call.func)
                if self.is_source(name) and not self._will_convert(name):
                    found.append(self.catalog.public_name(name, self.source))

        if node is not None:
            walk(node, _Calls())
        return found

    def _untyped_cell_method(self, original, receiver, attr: str) -> bool:
        """``model.set_grad()`` / ``model.parameters_and_names()`` on a receiver the converter cannot type (a
        function's parameter): a MindSpore Cell method torch's Module lacks (``model.named_parameters()``, torch
        -> MindSpore: the other way round). Were ``model`` a converted network, the call would raise
        AttributeError, so it is review, never left unreported."""
        if self.bindings is None or _is_self(receiver) \
                or not isinstance(receiver, (cst.Name, cst.Attribute)) or self.bindings.kind(receiver) is not None \
                or attr in self._functions_defined() or attr in methods.TARGET_TENSOR_HAS[self.target] \
                or attr == "zero_grad":   # a class of the file has its own (maybe not parsed here); rules.train_step
            return False
        why = methods.no_counterpart(attr, self.target) if attr in methods.CELL_ONLY_NO_COUNTERPART else (
            f"a {methods.module_base(self.target)} method that {methods.module_base(self.source)} does not have: "
            "port this call by hand" if methods.base_only(attr, self.target) else None)
        if why is None:
            return False
        self.record(original, f".{attr}()", rpt.REVIEW, None, f"where the receiver is a converted network: {why}")
        return True

    def _functions_defined(self) -> set[str]:
        if self._defined is None:
            self._defined = {n.name for n in self.scan.nodes
                             if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        return self._defined

    def _base_only_method(self, original, receiver, attr: str) -> None:
        """``self.init_parameters_data()`` in a class whose base became torch's: the target base lacks it."""
        if self.bindings is None or not methods.base_only(attr, self.target) \
                or not isinstance(receiver, cst.Name) or self.bindings.kind(receiver) != TARGET:
            return
        cls = self.bindings._class_of_self(receiver)
        if cls is None or _defines(cls, attr):
            return
        source_base = methods.module_base(self.target)
        target_base = methods.module_base(self.source)
        self.record(original, f".{attr}()", rpt.REVIEW, None,
                    f"a {source_base} method that {target_base} does not have: port this call by hand")

    def _method_call(self, original, updated):
        """A framework idiom method (``.set_train()``, ``.asnumpy()``): renamed only on a known target object."""
        func = updated.func
        if not isinstance(func, cst.Attribute):
            return updated
        twin = tensor_methods.call(self, original, updated)   # x.transpose(0, 2, 1), x.expand_dims(1), ...
        if twin is not None:
            return twin
        bare = cell_init.call(self, original, updated)   # super().__init__(auto_prefix) of a Cell (rules.cell_init)
        if bare is not None:
            return bare
        named = named_parameters.call(self, original, updated,
                                      lambda r: _defines(self.bindings.class_of(r), "named_parameters"))
        if named is not None:   # torch's names on a Cell (rules.named_parameters)
            return named
        attr = func.attr.value
        receiver = original.func.value
        if attr in module_mode.FUNCTIONS:   # train()/eval()/state_dict() on an untyped receiver (rules.module_mode)
            self.checkpoint._facts()
            stated = self.optimizer_state.call(original, updated, self.checkpoint.optimizers)
            if stated is not None:   # an optimizer's or scheduler's state_dict() (rules.optimizer_state)
                return stated
            dispatched = module_mode.dispatch(self, original, updated, self.checkpoint.optimizers)
            if dispatched is not None:
                return dispatched
        consumer = self.consumer_of.get(id(original))
        consumed = consumer is not None and self._consumer_kind(consumer) == TARGET
        rename = methods.rename_for(attr, self.target)
        if rename is None and self.imports.resolve(receiver) is None:
            if methods.no_counterpart(attr, self.target) and self.bindings is not None \
                    and not _defines(self.bindings.class_of(receiver), attr) \
                    and not (methods.source_tensor_only(attr, self.target) and _is_self(receiver)) \
                    and (self.bindings.kind(receiver) == TARGET or (methods.source_tensor_only(attr, self.target)
                                                                   and self.bindings.kind(receiver) is None)):
                self.record(original, f".{attr}()", rpt.REVIEW, None, methods.no_counterpart(attr, self.target))
                return updated
            if self._untyped_cell_method(original, receiver, attr):
                return updated
            self._base_only_method(original, receiver, attr)
        if rename is None or self.imports.resolve(receiver) is not None:
            return updated
        if self.bindings is not None and _defines(self.bindings.class_of(receiver), attr):
            return updated   # the class's own method of that name, not the framework's
        new, args = rename
        method, target_call = f".{attr}()", f".{new}({args or ''})"
        kind = self.bindings.kind(receiver) if self.bindings is not None else TARGET
        if kind == OTHER:
            return updated   # a numpy array, a pandas frame, a literal: not a framework object
        problem = methods.argument_problem(attr, original)
        if problem is not None and kind == TARGET:
            self.record(original, method, rpt.REVIEW, None, f"{target_call} exists, but {problem}")
            return updated
        if self.target == "mindspore" and attr == "parameters" and problem is None and kind in (TARGET, None) \
                and not (consumed and self._optimizer_call(consumer)):
            # all of them, frozen ones too (an optimizer alone takes trainable_params(): it skips the others)
            self.record(original, method, rpt.CONVERTED, PARAMETERS_TWIN, "every parameter, frozen ones too, not "
                        "BatchNorm's moving statistics (torch's buffers), on a Cell; the object's own method otherwise")
            return updated.with_changes(func=self.needs.reference(PARAMETERS_TWIN), args=[cst.Arg(updated.func.value)])
        if kind is None and attr in methods.DISPATCHED[self.target] and problem is None \
                and not (consumer is not None and self._consumer_kind(consumer) == TARGET):
            # an untyped receiver (a function's parameter): decided at run time (msbridge.bridge.cell_methods)
            twin = f"{methods.DISPATCH_MODULE[self.target]}.{attr}"
            self.record(original, method, rpt.CONVERTED, twin, f"{target_call} on a torch object (decided at run "
                        "time), the object's own method otherwise")
            receiver_arg = cst.Arg(updated.func.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) \
                if updated.args else cst.Arg(updated.func.value)
            return updated.with_changes(func=self.needs.reference(twin), args=[receiver_arg, *updated.args])
        if kind != TARGET and not (consumer is not None and self._consumer_kind(consumer) == TARGET):
            text = _short(self.code_of(func.value))   # as written after the rewrite: a second run says the same
            source_name, target_name = _FRAMEWORK_NAMES[self.source], _FRAMEWORK_NAMES[self.target]
            why = (f"`{text}` stays a {source_name} object here, so {method} is kept" if kind == SOURCE else
                   f"`{text}` is not known to be a {target_name} object: if it is, write {target_call}")
            self.record(original, method, rpt.REVIEW, None, why)
            return updated
        self.record(original, method, rpt.CONVERTED, target_call)
        updated = updated.with_changes(func=func.with_changes(attr=cst.Name(new)))
        if args is not None:
            updated = updated.with_changes(args=cst.parse_expression(f"f({args})").args)
        # the bare rename only where an optimizer consumes the list (it skips parameters without gradients);
        # `ParameterTuple(net.trainable_params())` keeps MindSpore's filter
        return methods.wrap(attr, self.target, updated, consumed and self._optimizer_call(consumer), self.code_of)

    def _optimizer_call(self, call: cst.Call) -> bool:
        """``nn.Momentum(...)``/``torch.optim.SGD(...)``: an optimizer being built."""
        name = self.imports.resolve(call.func)
        return name is not None and (name.startswith("torch.optim.") or optimizer_params.builds_optimizer(self, name))


def _is_self(node: cst.BaseExpression) -> bool:
    """``self``: a Module/Cell, never a tensor (``self.relu(x)`` calls a layer held in an attribute)."""
    return isinstance(node, cst.Name) and node.value == "self"


def _defines(cls: cst.ClassDef | None, name: str) -> bool:
    return cls is not None and any(isinstance(s, cst.FunctionDef) and s.name.value == name for s in cls.body.body)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


_FRAMEWORK_NAMES = {"torch": "torch", "mindspore": "MindSpore"}
PARAMETERS_TWIN = "msbridge.torch.nn.module_parameters.module_parameters"   # torch's parameters() on a Cell
# arguments msbridge's layer twins refuse (msbridge/mindspore/nn/layers: only the default initialisation)


def _is_value_row(row: ApiRow) -> bool:
    """A row for a value such as a dtype (``mindspore.float32``), not a class or a function."""
    return row.id.startswith("dtype.")


def _lr_value(call: cst.Call, row: ApiRow, code_of) -> cst.BaseExpression | None:
    names = row.mindspore.names
    index = names.index(optimizer_lr.MINDSPORE_LR_ARG) if optimizer_lr.MINDSPORE_LR_ARG in names else -1
    for i, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == optimizer_lr.MINDSPORE_LR_ARG:
            return arg.value
        if arg.keyword is None and not arg.star and i == index:
            return arg.value
    return None


class _SelfMethodRename(cst.CSTTransformer):
    """``self.<old>`` -> ``self.<new>`` in a class whose forward method was renamed (not in nested classes)."""

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new

    def visit_ClassDef(self, node):
        return False

    def leave_Attribute(self, original, updated):
        if isinstance(updated.value, cst.Name) and updated.value.value == "self" and updated.attr.value == self.old:
            return updated.with_changes(attr=cst.Name(self.new))
        return updated


class _SelfMethodUse:
    """Finds ``self.<name>`` outside nested classes (what ``_SelfMethodRename`` would rewrite)."""

    def __init__(self, name: str):
        self.name, self.found = name, False

    def visit_ClassDef(self, node):
        return False

    def visit_Attribute(self, node):
        if isinstance(node.value, cst.Name) and node.value.value == "self" and node.attr.value == self.name:
            self.found = True


def _reads_self_method(stmt: cst.CSTNode, name: str) -> bool:
    """Whether ``stmt`` needs ``_SelfMethodRename`` (a read-only walk: rebuilding every method was costly)."""
    if isinstance(stmt, cst.ClassDef):
        return False
    finder = _SelfMethodUse(name)
    walk(stmt, finder)
    return finder.found


def _marked_before(trailing: str, leading_lines) -> bool:
    """A statement an earlier run already marked keeps its marks as they are: its message texts quote code that
    the earlier run rewrote (``net.trainable_params()`` then, a list comprehension now), so comparing texts
    would mark it again; the report still counts every use (converting twice adds nothing)."""
    return trailing.startswith(MARK) or any(
        line.comment is not None and line.comment.value.startswith(MARK) for line in leading_lines)


def _comment(stmt: cst.SimpleStatementLine, messages: list[str], header=()) -> cst.SimpleStatementLine:
    """Add ``# msbridge: ...`` to the line, once (converting twice adds nothing).

    ``header``: the comment lines LibCST gives the module rather than its first statement.
    """
    existing = stmt.trailing_whitespace.comment.value if stmt.trailing_whitespace.comment else ""
    above = "".join(line.comment.value for line in (*header, *stmt.leading_lines) if line.comment)
    new = [m for m in dict.fromkeys(messages) if m not in existing and m not in above]
    if not new or _marked_before(existing, stmt.leading_lines):
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
    if not new or _marked_before("", stmt.leading_lines):
        return stmt
    line = cst.EmptyLine(indent=True, comment=cst.Comment(f"{MARK} " + " | ".join(new)))
    return stmt.with_changes(leading_lines=[*stmt.leading_lines, line])


class _AssignTargets(dict):
    """id(assigned value) -> the text of its single assignment target (``self.fc``), generated on ``get``.

    Code generation is costly and few of these texts are ever read: the target node is kept, its text
    made when a rule asks (the region's module, hence its formatting, is the same until ``clear``)."""

    def __init__(self, rewriter: "Rewriter"):
        super().__init__()
        self.rewriter = rewriter

    def get(self, key, default=None):
        node = super().get(key)
        return default if node is None else self.rewriter.code_of(node)


class RegionRewriter:
    """Rewrites the hot regions of one file, in order, sharing what earlier regions learned."""

    def __init__(self, target: str, scan: Scan, catalog: Catalog, needs: ImportNeeds, report: rpt.FileReport,
                 project: Networks = NO_NETWORKS):
        self.rewriter = Rewriter(cst.Module(body=[]), target, scan, catalog, needs, report)
        self.rewriter.project = project   # networks of the other files of the run (msbridge.convert.project)
        self.statement_lines = scan.statement_lines

    def bind(self, modules: list[cst.Module]) -> None:
        """Scope analysis over all regions at once (the statements left out never mention a framework name).

        Facts about bindings are keyed by the regions' own nodes, which stay alive until the file is done.
        """
        combined = cst.Module(body=[stmt for module in modules for stmt in module.body])
        self.rewriter.bindings = self.rewriter.imports = Bindings(combined, self.rewriter.target,
                                                                  self.rewriter.scan.imports.bound_names(),
                                                                  self.rewriter.project)

    def rewrite(self, module: cst.Module, first_line: int, last_line: int) -> cst.Module:
        """Rewrite ``module``: the text of source lines ``first_line``..``last_line``."""
        rewriter = self.rewriter
        rewriter.module = rewriter.train_step.module = module
        # id()-keyed notes are only valid while their nodes live: never carry them to another region
        rewriter.skip_refs.clear()
        rewriter.type_refs.clear()
        rewriter.written_attributes.clear()
        rewriter.param_writes.clear()
        rewriter.assign_of.clear()
        rewriter.consumer_of.clear()
        rewriter.called_funcs.clear()
        rewriter.base_refs.clear()
        rewriter.train_step.lines.clear()
        rewriter.train_step.consumed.clear()
        rewriter.train_step.refused.clear()
        rewriter.train_step.lr_views.clear()
        rewriter.train_step.clip.clear()
        rewriter.default_mode.clear()
        # bisect, not a scan of every statement: one scan per region made many-region files quadratic
        lo, hi = bisect_left(self.statement_lines, first_line), bisect_right(self.statement_lines, last_line)
        self.rewriter.statement_lines = self.statement_lines[lo:hi]
        self.rewriter.cursor = 0
        return module.visit(self.rewriter)
