"""The operator-instance idiom at conversion time (data and folding: ``rules.primitives``).

Per class: an attribute assigned ONCE from a known operator class (``self.mean =
ops.ReduceMean(keep_dims=True)``), whose constructor arguments are literals (or ``self.``
attributes, which read the same at the call), and whose every other use in the class is a call
(``self.mean(x, 1)``) is *folded*: each call becomes the functional call with the constructor's
arguments written in, translated by the functional's row (``torch.mean(x, 1, keepdim=True)``), and
the assignment goes (no MindSpore object is left behind). Anything else (the attribute passed
around, assigned twice, a non-literal argument, an entry whose condition does not hold such as
``BatchMatMul(transpose_b=True)``) keeps the assignment and is marked ``review`` with the reason.
Inline ``P.ReduceMean(True)(x, 1)`` is folded the same way, and so is a local name a function binds
once to an operator and only calls (``reshape = ops.Reshape()`` then ``reshape(x, s)``).
An attribute that other classes of the file also read is folded when each of them builds the same
operator (same class, same constructor text) or lies outside this class's inheritance line and
assigns the attribute itself; otherwise a subclass could read the object the fold removed.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.rules import primitives
from msbridge.convert.walk import walk


def _public(name: str | None) -> str | None:
    """``mindspore.ops.operations.Reshape`` / ``mindspore.ops.auto_generate.X`` -> ``mindspore.ops.Reshape``."""
    if name is None or not name.startswith("mindspore.ops."):
        return None
    short = "mindspore.ops." + name.rsplit(".", 1)[1]
    return short if primitives.known(short) else None


def _foldable_text(code: str) -> bool:
    """A literal, or ``self.<attr>``: it reads the same at the call as in the constructor."""
    try:
        ast.literal_eval(code)
        return True
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        parts = code.split(".")
        return len(parts) == 2 and parts[0] == "self" and parts[1].isidentifier()


def _literal(code: str):
    try:
        return ast.literal_eval(code)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


@dataclass
class Instance:
    name: str                      # the operator class (public spelling)
    ctor: cst.Call                 # its constructor call (original node)
    prim: primitives.Primitive | None
    why: str = ""                  # why it is not folded (empty: folded)
    calls: int = 0


@dataclass
class _Class:
    instances: dict[str, Instance] = field(default_factory=dict)


def _self_attr(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return node.attr.value
    return None


class _Uses(cst.CSTVisitor):
    """Every ``self.<attr>`` of a class body: assignments, calls, and anything else."""

    def __init__(self):
        self.assigned: dict[str, list[cst.Assign]] = {}
        self.called: dict[str, int] = {}
        self.other: set[str] = set()
        self._seen: set[int] = set()

    def visit_Assign(self, node):
        for target in node.targets:
            attr = _self_attr(target.target)
            if attr is not None:
                self.assigned.setdefault(attr, []).append(node)
                self._seen.add(id(target.target))

    def visit_Call(self, node):
        attr = _self_attr(node.func)
        if attr is not None:
            self.called[attr] = self.called.get(attr, 0) + 1
            self._seen.add(id(node.func))

    def visit_Attribute(self, node):
        attr = _self_attr(node)
        if attr is not None and id(node) not in self._seen:
            self.other.add(attr)

    def visit_AugAssign(self, node):
        attr = _self_attr(node.target)
        if attr is not None:
            self.other.add(attr)


class _ClassesUsing(cst.CSTVisitor):
    """attr -> the classes of a module whose methods read or call ``self.<attr>``, and what each
    class assigns to it (so that classes which each build the same operator do not block each other)."""

    def __init__(self):
        self.by_attr: dict[str, set[int]] = {}
        self.assigned: dict[tuple[int, str], list[cst.BaseExpression]] = {}
        self.bases: dict[int, set[int]] = {}     # class -> its classes of this file among its bases
        self._classes: list[int] = []
        self._by_name: dict[str, int] = {}

    def visit_Assign(self, node):
        if self._classes:
            for target in node.targets:
                attr = _self_attr(target.target)
                if attr is not None:
                    self.assigned.setdefault((self._classes[-1], attr), []).append(node.value)

    def visit_ClassDef(self, node):
        self._classes.append(id(node))
        self._by_name[node.name.value] = id(node)
        self.bases[id(node)] = {self._by_name[b.value.value] for b in node.bases
                                if isinstance(b.value, cst.Name) and b.value.value in self._by_name}

    def ancestors(self, cls: int) -> set[int]:
        seen, todo = set(), [cls]
        while todo:
            for base in self.bases.get(todo.pop(), ()):
                if base not in seen:
                    seen.add(base)
                    todo.append(base)
        return seen

    def related(self, a: int, b: int) -> bool:
        """One inherits from the other, or a third class from both, through classes of this file
        (a class defined elsewhere cannot subclass one of this file without importing it back)."""
        return any({a, b} <= self.ancestors(c) | {c} for c in self.bases)

    def leave_ClassDef(self, node):
        self._classes.pop()

    def visit_Attribute(self, node):
        attr = _self_attr(node)
        if attr is not None and self._classes:
            self.by_attr.setdefault(attr, set()).add(self._classes[-1])


class _LocalNames(cst.CSTVisitor):
    """Per function: how each name is bound and read (nested functions and lambdas included)."""

    def __init__(self):
        self.assigns: dict[str, list[cst.Assign]] = {}
        self.called: dict[str, list[cst.Call]] = {}
        self.other: set[str] = set()
        self._seen: set[int] = set()

    def visit_Assign(self, node):
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.assigns.setdefault(target.target.value, []).append(node)
                self._seen.add(id(target.target))

    def visit_Call(self, node):
        if isinstance(node.func, cst.Name):
            self.called.setdefault(node.func.value, []).append(node)
            self._seen.add(id(node.func))

    def visit_Name(self, node):
        if id(node) not in self._seen:
            self.other.add(node.value)   # read, rebound (for, with, augmented, global ...) or deleted


class _Functions(cst.CSTVisitor):
    """Every function of a module (outermost first)."""

    def __init__(self):
        self.functions: list[cst.FunctionDef] = []

    def visit_FunctionDef(self, node):
        self.functions.append(node)


class OperatorInstances:
    """Folds operator instances for one Rewriter (MindSpore -> torch only)."""

    def __init__(self, rewriter):
        self.rw = rewriter
        self.classes: list[_Class] = []
        self.ctor_ids: dict[int, Instance] = {}     # id(constructor call) -> its instance
        self.removed: set[int] = set()              # id(assignment statement line) folded away
        self.inline_ctors: set[int] = set()         # id(inner call) of P.X(...)(args)
        self.folded: set[int] = set()               # id(original call) rewritten into the target's function
        self._using: tuple[int, _ClassesUsing] | None = None   # (id(module), its self.<attr> users)
        self._locals_of: int | None = None          # id(module) whose local instances are collected
        self.local_calls: dict[int, Instance] = {}  # id(call of a folded local instance) -> the instance
        self.local_lines: set[int] = set()          # id(assignment) of a folded local instance

    def _other_classes_use(self, node: cst.ClassDef, attr: str, name: str, ctor: cst.Call) -> bool:
        """Whether another class of the file (a subclass, say) reads ``self.<attr>`` without building
        the same operator itself (same class, same constructor text, assigned once): it would lose the
        object. A class that builds the same operator reads its own, which computes what the fold does;
        a class outside this one's inheritance line that assigns the attribute itself reads its own."""
        module = getattr(self.rw.bindings, "module", None)
        if module is None:
            return False
        if self._using is None or self._using[0] != id(module):
            users = _ClassesUsing()
            walk(module, users)
            self._using = (id(module), users)
        users = self._using[1]
        for other in users.by_attr.get(attr, set()) - {id(node)}:
            values = users.assigned.get((other, attr), [])
            if len(values) == 1 and self._same_operator(values[0], name, ctor):
                continue
            if values and not users.related(id(node), other):
                continue
            return True
        return False

    def _same_operator(self, value: cst.BaseExpression, name: str, ctor: cst.Call) -> bool:
        if not isinstance(value, cst.Call) or _public(self.rw.imports.resolve(value.func)) != name:
            return False
        text = lambda call: [(a.keyword.value if a.keyword else None, a.star, self.rw.code_of(a.value))
                             for a in call.args]
        return text(value) == text(ctor)

    def enabled(self) -> bool:
        return self.rw.target == "torch"

    # ---- local instances: `reshape = ops.Reshape()` then `reshape(x, s)` in one function ----------
    def _collect_locals(self) -> None:
        """A name a function binds once, to an operator built from literals, and only calls: folded like
        an attribute (its calls become the functional call, the assignment goes)."""
        module = getattr(self.rw.bindings, "module", None)
        if module is None or self._locals_of == id(module):
            return
        self._locals_of = id(module)
        functions = _Functions()
        walk(module, functions)
        for function in functions.functions:
            names = _LocalNames()
            walk(function.body, names)
            for name, assigns in names.assigns.items():
                value = assigns[0].value
                if len(assigns) != 1 or len(assigns[0].targets) != 1 or not isinstance(value, cst.Call):
                    continue
                op = _public(self.rw.imports.resolve(value.func))
                calls = names.called.get(name, [])
                if op is None or name in names.other or not calls or id(value) in self.ctor_ids:
                    continue
                inst = Instance(op, value, None, calls=len(calls))
                init = self._init_values(inst, value)
                if init is None:
                    continue
                inst.prim = primitives.entry_for(op, {k: _literal(self.rw.code_of(v)) for k, v in init.items()})
                if inst.prim is None:
                    continue
                self.ctor_ids[id(value)] = inst
                self.local_lines.add(id(assigns[0]))
                for call in calls:
                    self.local_calls[id(call)] = inst

    # ---- classes -----------------------------------------------------------------------------
    def enter_class(self, node: cst.ClassDef) -> None:
        if not self.enabled():
            return
        info = _Class()
        uses = _Uses()
        walk(node.body, uses)
        for attr, assigns in uses.assigned.items():
            value = assigns[0].value
            if not isinstance(value, cst.Call):
                continue
            name = _public(self.rw.imports.resolve(value.func))
            if name is None:
                continue
            inst = Instance(name, value, None, calls=uses.called.get(attr, 0))
            init = self._init_values(inst, value)
            if len(assigns) > 1:
                inst.why = f"self.{attr} is assigned more than once"
            elif attr in uses.other:
                inst.why = f"self.{attr} is used other than by calling it"
            elif self._other_classes_use(node, attr, name, value):
                inst.why = f"self.{attr} is also used by another class of this file (a subclass?)"
            elif init is None:
                inst.why = "its constructor arguments are not literals or do not fit"
            else:
                inst.prim = primitives.entry_for(name, {k: _literal(self.rw.code_of(v)) for k, v in init.items()})
                if inst.prim is None:
                    notes = "; ".join(p.note for p in primitives.primitives()[name] if p.note)
                    inst.why = f"no functional form for these constructor arguments ({notes})" if notes else \
                        "no functional form for these constructor arguments"
            info.instances[attr] = inst
            self.ctor_ids[id(value)] = inst
        self._keep_nonempty_methods(node, info)
        self.classes.append(info)

    def _keep_nonempty_methods(self, node: cst.ClassDef, info: _Class) -> None:
        """A method whose every statement would be folded away keeps them (a body cannot be empty)."""
        for stmt in node.body.body:
            if not isinstance(stmt, cst.FunctionDef) or not isinstance(stmt.body, cst.IndentedBlock):
                continue
            lines = stmt.body.body
            folded = [s for s in lines if self._folded_line(s, info) is not None]
            if folded and len(folded) == len(lines):
                for s in folded:
                    info.instances[self._folded_line(s, info)].why = "it is the whole body of its method"

    def _folded_line(self, stmt, info: _Class) -> str | None:
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
                and isinstance(stmt.body[0], cst.Assign) and len(stmt.body[0].targets) == 1):
            return None
        attr = _self_attr(stmt.body[0].targets[0].target)
        inst = info.instances.get(attr) if attr else None
        return attr if inst is not None and not inst.why and inst.ctor is stmt.body[0].value else None

    def leave_class(self) -> None:
        if self.enabled() and self.classes:
            self.classes.pop()

    def _init_values(self, inst: Instance, ctor: cst.Call) -> dict | None:
        params = primitives.primitives()[inst.name][0].init
        positional = [a.value for a in ctor.args if a.keyword is None and not a.star]
        if any(a.star for a in ctor.args):
            return None
        keywords = {a.keyword.value: a.value for a in ctor.args if a.keyword is not None}
        bound = primitives.bind(params, positional, keywords)
        if bound is None or not all(_foldable_text(self.rw.code_of(v)) for v in bound.values()):
            return None
        return bound

    # ---- statements and calls ----------------------------------------------------------------
    def removes(self, stmt: cst.SimpleStatementLine) -> bool:
        """The ``self.x = ops.X(...)`` (or local ``x = ops.X(...)``) line of a folded instance: it goes."""
        if not self.enabled():
            return False
        if len(stmt.body) == 1 and id(stmt.body[0]) in self.local_lines:
            return True
        if not self.classes:
            return False
        return self._folded_line(stmt, self.classes[-1]) is not None

    def visit_call(self, node: cst.Call) -> None:
        if self.enabled() and isinstance(node.func, cst.Call) and _public(self.rw.imports.resolve(node.func.func)):
            self.inline_ctors.add(id(node.func))

    def constructor(self, original: cst.Call, updated: cst.Call) -> cst.Call | None:
        """The constructor call of an operator instance: folded (reported, the line goes) or marked."""
        if not self.enabled():
            return None
        if id(original) in self.inline_ctors:
            return updated   # P.X(...) of P.X(...)(args): handled with its outer call
        self._collect_locals()
        inst = self.ctor_ids.get(id(original))
        if inst is None:
            return None
        if inst.why:
            self.rw.record(original, inst.name, rpt.REVIEW, None,
                           f"operator instance not folded: {inst.why}; call the functional API "
                           f"({primitives.primitives()[inst.name][0].functional}) at its uses")
        else:
            self.rw.record(original, inst.name, rpt.CONVERTED, None,
                           f"operator instance folded into its {inst.calls} call(s) as {inst.prim.functional}")
        return updated

    def folds(self, call: cst.Call) -> bool:
        """Whether ``call`` is ``self.<attr>(...)`` of an instance this class folds (its arguments reach
        the target's function: a dtype passed to ``self.cast`` becomes the target's dtype)."""
        if not self.enabled():
            return False
        self._collect_locals()
        if id(call) in self.local_calls:
            return True
        if id(call.func) in self.inline_ctors:   # `P.Cast()(x, t)`: folded when its arguments are literals
            probe = Instance(_public(self.rw.imports.resolve(call.func.func)), call.func, None)
            init = self._init_values(probe, call.func)
            return init is not None and primitives.entry_for(
                probe.name, {k: _literal(self.rw.code_of(v)) for k, v in init.items()}) is not None
        attr = _self_attr(call.func)
        if attr is None or not self.classes:
            return False
        inst = self.classes[-1].instances.get(attr)
        return inst is not None and not inst.why

    def use(self, original: cst.Call, updated: cst.Call):
        """``self.mean(x, 1)`` of a folded instance, or inline ``P.X(...)(args)``: the translated call."""
        if not self.enabled():
            return None
        self._collect_locals()
        local = self.local_calls.get(id(original))
        if local is not None:
            return self._fold(original, updated, local.name, local.prim, local.ctor)
        attr = _self_attr(original.func)
        if attr is not None and self.classes:
            inst = self.classes[-1].instances.get(attr)
            if inst is None or inst.why:
                return None
            return self._fold(original, updated, inst.name, inst.prim, inst.ctor)
        if id(original.func) in self.inline_ctors:
            ctor = original.func
            name = _public(self.rw.imports.resolve(ctor.func))
            probe = Instance(name, ctor, None)
            init = self._init_values(probe, ctor)
            prim = primitives.entry_for(name, {k: _literal(self.rw.code_of(v)) for k, v in init.items()}) \
                if init is not None else None
            if prim is None:
                self.rw.record(original, name, rpt.REVIEW, None,
                               "operator not folded: its constructor arguments are not literals or have no functional form")
                return updated
            return self._fold(original, updated, name, prim, ctor)
        return None

    def _fold(self, original, updated, name, prim, ctor):
        init = self._init_values(Instance(name, ctor, None), ctor) or {}
        if any(a.star for a in updated.args):
            self.rw.record(original, name, rpt.REVIEW, None, "operator call with *args: not folded")
            return updated
        positional = [a.value for a in updated.args if a.keyword is None]
        keywords = {a.keyword.value: a.value for a in updated.args if a.keyword is not None}
        call_given = primitives.bind(prim.call, positional, keywords)
        rows = self.rw.catalog.rows(prim.functional, "mindspore")
        if call_given is None or not rows:
            self.rw.record(original, name, rpt.REVIEW, None, f"operator call does not fit {name}'s call")
            return updated
        literals = {k: _literal(self.rw.code_of(v)) for k, v in init.items()}
        swap_rows = self.rw.catalog.rows("mindspore.ops.swapaxes", "mindspore")
        given = primitives.functional_arguments(prim, init, call_given,
                                                lambda operand: self._swap(original, operand, swap_rows), literals)
        for row in rows:
            from_ctor = {f for f, src in prim.args if src in init}
            synthesized = cst.Call(func=cst.Name("_"), args=_arguments(row.mindspore, given, from_ctor))
            result = self.rw._by_row(original, synthesized, name, row)
            if result is not None:
                self.folded.add(id(original))
                return result
        self.rw.record(original, name, rpt.REVIEW, None, f"{prim.functional}'s table row does not apply here")
        return updated

    def _swap(self, original, operand, rows):
        """``operand`` with its last two axes swapped, in the target's terms (ops.swapaxes' row)."""
        row = rows[0]
        target = row.side(self.rw.target).name
        args = [a.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT) for a in _swap_args(operand)]
        return cst.Call(func=self.rw.needs.reference(target), args=args)


def _swap_args(operand):
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return [cst.Arg(operand, comma=comma), cst.Arg(cst.UnaryOperation(cst.Minus(), cst.Integer("2")), comma=comma),
            cst.Arg(cst.UnaryOperation(cst.Minus(), cst.Integer("1")))]


def _arguments(ref, given: dict, keyword: set[str]) -> list[cst.Arg]:
    """Positional while the functional's parameters are filled in order by the call, then keywords
    (a constructor setting such as ``keep_dims`` reads better by name)."""
    args, positional = [], True
    for param in ref.params:
        if param.name not in given:
            positional = False
            continue
        value = given[param.name]
        positional = positional and not param.keyword_only and param.name not in keyword
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        if positional:
            args.append(cst.Arg(value=value, comma=comma))
        else:
            args.append(cst.Arg(value=value, keyword=cst.Name(param.name), comma=comma,
                                equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                                      whitespace_after=cst.SimpleWhitespace(""))))
    if args:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return args
