"""What each name of a module is bound to, and which framework its object belongs to.

Why: a flat import table made ``def f(): nn = mymodels; return nn.ReLU()`` a
torch call, and methods renamed by attribute name alone turned a pandas
``df.eval(...)`` into ``df.set_train(False)``. A scope analysis over the whole
module (``msbridge.convert.scopes``: LibCST's rules, in one cheap walk) knows
every binding of every name; its qualified-name lookup, asked only for the
nodes the rewrite looks at, says what an import made of it.

Two questions are answered here:

* ``qualify(node)``: the API a Name/Attribute chain means, only when it has ONE
  qualified name and that name comes from an import (a parameter or a local
  assignment called ``nn`` is not ``mindspore.nn``);
* ``kind(node)``: whether the object an expression evaluates to is known to be
  a TARGET-framework object after the conversion (built by a converted
  constructor, an instance of a class whose base was converted, a call of such
  an object, a method result of one), stays a SOURCE-framework object (built by
  an API the converter left alone), is OTHER (a literal, numpy, pandas...), or
  is not known (``None``). Facts are fed by the rewriter as it decides, in
  source order; a name bound more than once is known only when every binding
  agrees.
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert.catalog import BRIDGE_OUTPUTS, BRIDGE_PASS_THROUGH, framework_of, mirror_framework_of
from msbridge.convert.names import dotted_name
from msbridge.convert.project import NONE as NO_NETWORKS, Networks
from msbridge.convert.scopes import IMPORT, Assignment, ImportAssignment, scopes_of
from msbridge.convert.visiting import NoFieldHooks
from msbridge.convert.walk import walk

TARGET, SOURCE, OTHER = "target", "source", "other"
# libraries whose objects are certainly not framework modules or tensors
OTHER_ROOTS = frozenset({"numpy", "pandas", "scipy", "sklearn", "PIL", "cv2", "json", "os", "re", "math",
                         "random", "collections", "argparse", "logging", "time", "datetime", "pathlib",
                         "csv", "pickle", "yaml", "matplotlib", "itertools", "functools"})
# methods of a framework object whose result leaves the framework (a numpy array, a Python number)
LEAVES_FRAMEWORK = frozenset({"asnumpy", "numpy", "item", "tolist"})
# fields of a converted MindSpore callback's run_context.original_args() holding tensors (rules/callbacks.py)
TENSOR_FIELDS = frozenset({"net_outputs"})
_LITERALS = (cst.BaseNumber, cst.BaseString, cst.List, cst.Tuple, cst.Dict, cst.Set, cst.ListComp,
             cst.DictComp, cst.SetComp, cst.GeneratorExp, cst.Lambda)


def _agree(kinds) -> str | None:
    kinds = set(kinds)
    return kinds.pop() if len(kinds) == 1 else None


def _unpacked(target: cst.BaseExpression, value: cst.BaseExpression):
    """(target element, value element) pairs of ``a, b = x, y`` (same length, no starred element); else None."""
    if not (isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List))):
        return None
    if len(target.elements) != len(value.elements) or any(isinstance(e, cst.StarredElement)
                                                          for e in (*target.elements, *value.elements)):
        return None
    return [(t.value, v.value) for t, v in zip(target.elements, value.elements)]


def _argument(call: cst.Call, position: int, name: str) -> cst.BaseExpression | None:
    """The expression ``call`` passes for a parameter (None: not passed plainly, e.g. ``*args`` or a default)."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    plain = []
    for arg in call.args:
        if arg.star:
            break
        if arg.keyword is None:
            plain.append(arg.value)
    return plain[position] if position < len(plain) else None


# decorators that call the function with the arguments it is given (``@torch.no_grad()``): its parameters are
# still what the file's calls pass
_PASS_THROUGH_DECORATORS = ("no_grad", "inference_mode", "enable_grad")


def _keeps_calls(decorator: cst.BaseExpression) -> bool:
    if isinstance(decorator, cst.Call):
        if decorator.args:
            return False
        decorator = decorator.func
    last = decorator.attr.value if isinstance(decorator, cst.Attribute) else \
        decorator.value if isinstance(decorator, cst.Name) else ""
    return last in _PASS_THROUGH_DECORATORS


class _Index(NoFieldHooks, cst.CSTVisitor):
    """Where each name is assigned (``x = value``), and the plain functions' parameters and call sites."""

    def __init__(self):
        self.values: dict[int, cst.BaseExpression] = {}              # id(Name target) -> assigned value
        self.params: dict[int, tuple[str, int, str]] = {}             # id(Param) -> (function, position, name)
        self.calls_to: dict[str, list[cst.Call]] = {}                 # function name -> calls by that name
        self._class_depth = [0]

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.values[id(target.target)] = node.value

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):   # layers += [...]: the target's new value is the target op value
            self.values[id(node.target)] = cst.BinaryOperation(left=node.target, operator=cst.Add(), right=node.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._class_depth.append(1)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._class_depth.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        in_class = self._class_depth[-1] == 1
        self._class_depth.append(0)
        if in_class or not all(_keeps_calls(d.decorator) for d in node.decorators):
            return   # methods are called through objects; decorated functions may be called otherwise
        for position, param in enumerate(node.params.params):
            self.params[id(param)] = (node.name.value, position, param.name.value)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._class_depth.pop()

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name):
            self.calls_to.setdefault(node.func.value, []).append(node)

    def passed(self, param: cst.Param) -> list[cst.BaseExpression | None]:
        """What each call of the parameter's function in this file passes to it (None: not passed)."""
        function, position, name = self.params[id(param)]
        return [_argument(call, position, name) for call in self.calls_to.get(function, [])]


class Bindings:
    """Scope-aware name resolution and object kinds for one LibCST module (visit this same module)."""

    def __init__(self, module: cst.Module, target: str, imported: set[str] | None = None,
                 project: Networks = NO_NETWORKS):
        """``imported``: every local name an import of the file binds (others never resolve: no lookup).
        ``project``: networks of other files converted in the same run (``msbridge.convert.project``): they
        become TARGET objects."""
        self.module, self.target, self.imported = module, target, imported
        self.project = project
        self.source = "mindspore" if target == "torch" else "torch"
        self.scopes = scopes_of(module)
        self.calls: dict[int, str] = {}        # id(Call) -> kind of its result, as the rewriter decided
        self.names: dict[int, str] = {}        # id(assigned Name node / ClassDef) -> kind
        self.attributes: dict[tuple[int, str], list[str]] = {}   # (id(ClassDef), attr) -> kinds of self.attr = ...
        self.selves: dict[int, cst.ClassDef] = {}                # id(Param) of a method's first parameter -> class
        self._index: _Index | None = None      # built on the first look-ahead (most files never need one)
        self._inferring: set[int] = set()      # guards the look-ahead below against cycles
        self._ahead = 0                        # > 0 while looking ahead of the rewriter
        self._memo: dict[int, str | None] = {}   # binding -> kind, for one outermost look-ahead

    # ---- names -------------------------------------------------------------------------------
    def qualified_names(self, node: cst.CSTNode) -> set:
        """(qualified name, source) pairs; source is IMPORT, BUILTIN or LOCAL (``msbridge.convert.scopes``)."""
        scope = self.scopes.get(id(node))
        if scope is None:
            return set()
        try:
            return scope.qualified_names(node)
        except Exception:   # a node the analysis cannot name: not known (never raised on the corpus)
            return set()

    def qualify(self, node: cst.BaseExpression) -> str | None:
        """The one import-sourced qualified name of a Name/Attribute chain, else None."""
        if self.imported is not None:   # the head first: most names are not imported, no text to build
            head = node
            while type(head) is cst.Attribute:
                head = head.value
            if type(head) is not cst.Name or head.value not in self.imported:
                return None
        dotted = dotted_name(node)
        if dotted is None:
            return None
        names = self.qualified_names(node)
        if len(names) != 1:
            return None
        ((name, source),) = names
        return name if source == IMPORT else None

    resolve = qualify   # the ImportTable spelling the rules use

    def project_name(self, node: cst.BaseExpression) -> str | None:
        """How the run's project index spells the network ``node`` names (``msbridge.convert.project``): its
        qualified name, or the local name of a relative import; None if it is not one. A name imported in
        several branches (``if cfg.net == 'resnet50': from src.resnet import resnet50 as resnet``) counts when
        every import of it is a project network of the same sort (all classes or all factories)."""
        project = self.project
        if not (project.qualified or project.local) or not isinstance(node, (cst.Name, cst.Attribute)):
            return None
        if isinstance(node, cst.Name) and node.value in project.local:
            return node.value
        if self.imported is not None:
            head = node
            while type(head) is cst.Attribute:
                head = head.value
            if type(head) is not cst.Name or head.value not in self.imported:
                return None
        names = self.qualified_names(node)
        if not names or any(source != IMPORT or name not in project.qualified for name, source in names):
            return None
        spelled = sorted(name for name, _ in names)
        if len({name in project.classes for name in spelled}) != 1:
            return None
        return spelled[0]

    def ambiguous(self, node: cst.BaseExpression) -> list[str]:
        """Framework APIs a chain MAY mean when it is bound more than once (an import and something else)."""
        if dotted_name(node) is None:
            return []
        names = self.qualified_names(node)
        if len(names) < 2:
            return []
        return sorted(name for name, source in names if source == IMPORT
                      and (framework_of(name) or mirror_framework_of(name)))

    # ---- facts from the rewriter -----------------------------------------------------------------
    def bind_assignment(self, node: cst.Assign, kind: str | None = None) -> None:
        """Record the kind of ``node.value`` (or ``kind``, the rewriter's) for each plain target (``x = ...``,
        ``self.x = ...``)."""
        for target in node.targets:
            pairs = _unpacked(target.target, node.value)
            if pairs is not None and kind is None:   # `g, d = Generator(), Discriminator()`: element by element
                for element, value in pairs:
                    self._bind_target(element, self.kind(value))
            else:
                self._bind_target(target.target, kind or self.kind(node.value))

    def _bind_target(self, target: cst.BaseExpression, kind: str | None) -> None:
        if isinstance(target, cst.Name):
            self.names[id(target)] = kind
        elif (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)):
            cls = self._class_of_self(target.value)
            if cls is not None:
                self.attributes.setdefault((id(cls), target.attr.value), []).append(kind)

    def enter_class(self, node: cst.ClassDef, kind: str | None) -> None:
        self.names[id(node)] = kind
        for stmt in node.body.body:
            if isinstance(stmt, cst.FunctionDef) and stmt.params.params and not stmt.decorators:
                self.selves[id(stmt.params.params[0])] = node

    # ---- kinds ---------------------------------------------------------------------------------
    def kind(self, node: cst.BaseExpression) -> str | None:
        """TARGET / SOURCE / OTHER for the object ``node`` evaluates to, or None when not known."""
        if isinstance(node, _LITERALS) or (isinstance(node, cst.Name) and node.value in ("None", "True", "False")):
            return OTHER
        if isinstance(node, cst.Call):
            return self.call_kind(node)
        if self.project_name(node) is not None:   # decided by the project's files, not by the rewriter
            return TARGET
        qualified = self.qualify(node)
        if qualified is not None:
            return self._framework_kind(qualified) if not self._ahead else None
        if isinstance(node, cst.Name):
            return self._name_kind(node)
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            cls = self._class_of_self(node.value)
            if cls is not None:
                return _agree(self.attributes.get((id(cls), node.attr.value), [None]))
        if isinstance(node, cst.Attribute) and node.attr.value in TENSOR_FIELDS and self.kind(node.value) == TARGET:
            return TARGET   # `cb_params.net_outputs` of a converted callback's run_context (rules/callbacks.py)
        return None

    def call_kind(self, call: cst.Call) -> str | None:
        if id(call) in self.calls:
            return self.calls[id(call)]
        func = call.func
        if self.project_name(func) is not None:
            return TARGET
        qualified = self.qualify(func)
        if qualified in BRIDGE_PASS_THROUGH and call.args:
            return self.kind(call.args[0].value)
        if qualified is not None:
            return self._framework_kind(qualified) if not self._ahead else None
        if isinstance(func, cst.Attribute) and self.qualify(func.value) is None:
            receiver = self.kind(func.value)
            if receiver in (TARGET, SOURCE):
                return OTHER if func.attr.value in LEAVES_FRAMEWORK else receiver
            return OTHER if receiver == OTHER else None
        callee = self.kind(func)
        return callee if callee in (TARGET, SOURCE) else None

    def _framework_kind(self, qualified: str) -> str | None:
        framework = framework_of(qualified) or BRIDGE_OUTPUTS.get(qualified)
        if framework is None and mirror_framework_of(qualified) is not None:
            # msbridge.mindspore.X imitates MindSpore and computes on torch (and the other way round)
            framework = "torch" if mirror_framework_of(qualified) == "mindspore" else "mindspore"
        if framework == self.target:
            return TARGET
        if framework == self.source:
            return SOURCE
        return OTHER if qualified.split(".", 1)[0] in OTHER_ROOTS else None

    def _assignments(self, node: cst.Name):
        scope = self.scopes.get(id(node))
        if scope is None:
            return None
        return list(scope[node.value])

    def _name_kind(self, node: cst.Name) -> str | None:
        assignments = self._assignments(node)
        if not assignments:
            return None
        kinds = []
        for assignment in assignments:
            if isinstance(assignment, ImportAssignment) or not isinstance(assignment, Assignment):
                return None   # an import is resolved by qualify(); builtins and the like are not known
            bound = assignment.node
            if isinstance(bound, cst.Param) and id(bound) in self.selves:
                kinds.append(self.names.get(id(self.selves[id(bound)])))
            elif id(bound) in self.names:
                kinds.append(self.names[id(bound)])
            else:
                kinds.append(self._look_ahead(bound))
        return _agree(kinds)

    def _look_ahead(self, bound: cst.CSTNode) -> str | None:
        """The kind of a binding the rewriter has not reached yet: ``x = Net()`` further down, or a
        parameter of a plain function whose every call in the file passes a TARGET object there
        (``def train(model, ...)`` called as ``train(Net(), ...)``: pytorch/examples' shape).

        Only what does not depend on the rewriter's later decisions is believed: user classes (whose
        bases were decided when the class was reached), literals, calls already decided. A framework
        API ahead of the rewriter counts as not known, whether written in the source framework (not
        decided yet) or the target one (a second run over converted code): so a second run sees
        exactly what the first one saw (idempotence).
        """
        if id(bound) in self._memo:
            return self._memo[id(bound)]
        if id(bound) in self._inferring:
            return None
        self._inferring.add(id(bound))
        self._ahead += 1
        index = self.index()
        try:
            if id(bound) in index.values:
                kind = self.kind(index.values[id(bound)])
            elif id(bound) in index.params:
                passed = index.passed(bound)
                kind = _agree(self.kind(arg) if arg is not None else None for arg in passed) if passed else None
            else:
                kind = None
        finally:
            self._inferring.discard(id(bound))
            self._ahead -= 1
        kind = kind if kind in (TARGET, OTHER) else None
        # Remember the answer while the rewriter stands still (one outermost look-ahead: its facts cannot
        # change). A cycle cut above counts as not known, which only makes the answer more cautious.
        # Without this, recursive helpers and chains of parameters were re-derived exponentially often
        # (timm's regnet.py: 1.8 million look-aheads, 49 s).
        self._memo[id(bound)] = kind
        if not self._inferring:
            self._memo.clear()
        return kind

    def index(self) -> "_Index":
        """The file's assignments, parameters and calls by name: built on first use (most files never need it)."""
        if self._index is None:
            self._index = _Index()
            walk(self.module, self._index)
        return self._index

    def parameter_arguments(self, node: cst.Name) -> list[cst.BaseExpression | None] | None:
        """What every call in this file passes for ``node`` when its one binding is a function's parameter,
        else None."""
        assignments = self._assignments(node)
        index = self.index()
        if not assignments or len(assignments) != 1 or id(getattr(assignments[0], "node", None)) not in index.params:
            return None
        return index.passed(assignments[0].node)

    def assigned_values(self, node: cst.Name) -> list[cst.BaseExpression] | None:
        """The values every binding of ``node`` assigns (``x = v``, ``x += v`` as ``x + v``); None when one of
        them is not a plain assignment (a parameter, an import, a loop variable...)."""
        assignments = self._assignments(node)
        if not assignments:
            return None
        self.index()
        values = []
        for assignment in assignments:
            if not isinstance(assignment, Assignment) or id(assignment.node) not in self._index.values:
                return None
            values.append(self._index.values[id(assignment.node)])
        return values

    def may_be(self, node: cst.Name, kind: str) -> bool:
        """Whether some plain assignment of ``node`` binds an object of ``kind`` (``x = cast(x, ...)`` after
        ``_, x = sort(...)``): weaker than ``kind()``, which needs every binding to agree."""
        self.index()
        for assignment in self._assignments(node) or []:
            value = self._index.values.get(id(assignment.node)) if isinstance(assignment, Assignment) else None
            if value is not None and self.kind(value) == kind:
                return True
        return False

    def parameters(self, node: cst.Name) -> list[cst.Param] | None:
        """The function parameters ``node`` is bound as; None when a binding of ``node`` is not a parameter."""
        assignments = self._assignments(node)
        if not assignments or not all(isinstance(a, Assignment) and isinstance(a.node, cst.Param)
                                      for a in assignments):
            return None
        return [a.node for a in assignments]

    def class_of(self, node: cst.BaseExpression) -> cst.ClassDef | None:
        """The class of this file that ``node`` is an instance of: ``self`` in its methods, or a name whose one
        binding is ``Name(...)`` of a class defined here; else None."""
        if not isinstance(node, cst.Name):
            return None
        cls = self._class_of_self(node)
        if cls is not None:
            return cls
        values = self.assigned_values(node)
        if not values or len(values) != 1 or not isinstance(values[0], cst.Call):
            return None
        return self.defined_class(values[0].func)

    def defined_class(self, node: cst.BaseExpression) -> cst.ClassDef | None:
        """The class of this file a Name is bound to (its one binding is the ``class`` statement), else None."""
        if not isinstance(node, cst.Name):
            return None
        assignments = self._assignments(node)
        if not assignments or len(assignments) != 1 or not isinstance(assignments[0], Assignment) \
                or not isinstance(assignments[0].node, cst.ClassDef):   # `w = next(...)`: a builtin's result
            return None
        return assignments[0].node

    def _class_of_self(self, node: cst.Name) -> cst.ClassDef | None:
        assignments = self._assignments(node)
        if not assignments or len(assignments) != 1 or not isinstance(assignments[0], Assignment):
            return None
        return self.selves.get(id(assignments[0].node))
