"""The train/eval mode a network is built in (issue 12: every "converted" is true).

torch builds every ``nn.Module`` in training mode and MindSpore every ``nn.Cell`` in inference mode
(``training`` False until ``set_train()``). Measured on torch 2.13 / MindSpore 2.10: a user's model, its
children, containers and a bare BatchNorm/Dropout/LSTM alike (tests/convert/test_convert_run.py runs both).
A converted program that never sets the mode would run BatchNorm (batch statistics and running-stat
updates), Dropout and RNN dropout in the other mode and compute something else. So a construction of a
network outside a network class gets the source framework's default written out: ``Net()`` ->
``Net().eval()`` to torch, ``Net().set_train()`` to MindSpore (both return the object and set its children).

Constructions that need it: a class of this file deriving from the module base (Cell/Module) or from a
framework layer, a mode-dependent layer (BatchNorm, Dropout, RNN/LSTM/GRU, MultiheadAttention,
Transformer*), and a container given one of these. Left as written: constructions inside a network class (the
outermost construction sets its children), one passed to a container or network class being built (that call
gets it instead), the receiver of a mode call (``Net().eval()``: so a second run changes nothing), and an
assignment whose name is next used by a mode call (``net = Net()`` then ``net.set_train()``).

``review`` where the mode cannot be written: a class of this file whose ``__init__`` sets a mode itself (the
call after it would undo that), a construction given a framework object built before (``NetWithLoss(net)``:
the call would reset ``net``'s mode too), and a CapWords class imported from another module of the project
(``net = LeNet5()``) that the file uses as a network (a network method on it, or passed to
``load_param_into_net``...) without a mode call next and without handing it to ``Model`` (whose
``train``/``eval`` set the mode). Only statements the converter visits (a hot region) can be marked.

When that other file is converted in the same run (a tree; ``msbridge.convert.project``), what it defines is
known: its network classes get the mode call like the file's own (``review`` if their ``__init__`` sets a
mode), and its factories need none (their file writes it where the network is built).
"""
from __future__ import annotations

import re

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.bindings import OTHER_ROOTS, TARGET
from msbridge.convert.catalog import framework_of, mirror_framework_of
from msbridge.convert.names import base_values, dotted_name
from msbridge.convert.rules.layer_init import INITIALIZED
from msbridge.convert.walk import walk

API = "<default mode>"
# by target framework: the method call that gives the source framework's default mode
MODE_CALL = {"torch": ("eval", "MindSpore builds Cells in inference mode, torch Modules in training mode: "
                               ".eval() keeps MindSpore's mode"),
             "mindspore": ("set_train", "torch builds Modules in training mode, MindSpore Cells in inference mode: "
                                        ".set_train() keeps torch's mode")}
MODE_METHODS = frozenset({"train", "eval", "set_train"})
# calls that return the layer they are given (rules.layer_init wraps a layer call not assigned to a name)
PASSTHROUGH = frozenset({INITIALIZED})
# methods and consumers that show a name holds a network (both frameworks' spellings: a second run sees the target's)
NETWORK_METHODS = frozenset({"trainable_params", "parameters", "named_parameters", "get_parameters",
                             "parameters_and_names", "state_dict", "load_state_dict", "cells_and_names",
                             "named_modules", "to_float"})
NETWORK_CONSUMERS = frozenset({"load_param_into_net", "load_checkpoint", "save_checkpoint", "WithLossCell",
                               "TrainOneStepCell", "value_and_grad", "module_train", "module_eval"})
DEVICE_MOVES = frozenset({"to", "cuda", "cpu"})
# wrappers whose own train/eval set the network's mode (MindSpore's Model and msbridge's twin of it)
SETS_MODE_ITSELF = frozenset({"Model"})
# libraries whose CapWords calls are not networks of the user's project
NOT_NETWORK_ROOTS = frozenset({"msbridge", "torchvision", "mindvision", "tqdm", "easydict", "typing", "dataclasses",
                               "enum", "abc", "io", "sys", "threading", "multiprocessing", "argparse", "copy"})
OWN_MODE = {"torch": "{cls} sets a train/eval mode itself (a mode call in its __init__): MindSpore's default "
                     "(inference) is not written after it, check that torch gets the same modes",
            "mindspore": "{cls} sets a train/eval mode itself (a mode call in its __init__): torch's default "
                         "(training) is not written after it, check that MindSpore gets the same modes"}
UNKNOWN = {"torch": "`{name}` is built by {callee} from another file and used as a network: MindSpore builds Cells "
                    "in inference mode, torch Modules in training mode; if it is called before any set_train(), "
                    "write `{name}.{method}` after this line",
           "mindspore": "`{name}` is built by {callee} from another file and used as a network: torch builds Modules "
                        "in training mode, MindSpore Cells in inference mode; if it is called before any train(), "
                        "write `{name}.{method}` after this line"}
HELD = {"torch": "built around {held}, built before: MindSpore builds it in inference mode and torch in training "
                 "mode, and .eval() here would also reset the mode of {held}; set the mode before calling it",
        "mindspore": "built around {held}, built before: torch builds it in training mode and MindSpore in inference "
                     "mode, and .set_train() here would also reset the mode of {held}; set the mode before calling it"}
# runtime mode calls an earlier torch -> MindSpore conversion wrote (rules.module_mode)
# msbridge's run-time dispatchers of the mode methods (rules.module_mode to MindSpore, bridge.cell_methods to torch)
MODE_FUNCTIONS = frozenset({"module_train", "module_eval", "set_train"})
MODULE_BASES = frozenset({"torch.nn.Module", "torch.nn.modules.module.Module", "mindspore.nn.Cell",
                          "mindspore.nn.cell.Cell"})
FRAMEWORK_ROOTS = ("torch.nn.", "mindspore.nn.", "msbridge.torch.nn.", "msbridge.mindspore.nn.")
CONTAINERS = frozenset({"Sequential", "SequentialCell", "ModuleList", "CellList", "ModuleDict", "CellDict"})
_MODE_DEPENDENT = re.compile(r"^(Lazy)?(Sync)?BatchNorm(\dd)?$|Dropout(\dd)?$|^(RNN|LSTM|GRU)$"
                             r"|^MultiheadAttention$|^Transformer(Encoder|Decoder)?(Layer)?$")


def _framework_class(qualified: str | None) -> str | None:
    """The class name of a framework layer API (``torch.nn.BatchNorm2d`` -> ``BatchNorm2d``), else None."""
    if qualified is None or not qualified.startswith(FRAMEWORK_ROOTS):
        return None
    return qualified.rsplit(".", 1)[1]


def mode_dependent(qualified: str | None) -> bool:
    name = _framework_class(qualified)
    return name is not None and bool(_MODE_DEPENDENT.search(name))


def _is_container(qualified: str | None) -> bool:
    return _framework_class(qualified) in CONTAINERS


class DefaultMode:
    """Per-file state of the rule; the rewriter calls ``visit_call``, ``plan_block`` and ``leave_call``."""

    def __init__(self, rw):
        self.rw = rw
        self.receivers: set[int] = set()         # id(call) whose result a mode method is called on
        self.holders: dict[int, cst.Call] = {}   # id(call passed as an argument) -> the call it is passed to
        self.holding: set[int] = set()           # id(call) given an argument that needs the mode
        self.followed: set[int] = set()          # id(call) assigned to a name whose next use sets the mode
        self.networks: dict[int, bool] = {}      # id(ClassDef) -> derives from a network base
        self.unknown: dict[int, tuple[str, str]] = {}   # id(call) -> (name, callee): a network built elsewhere

    def clear(self) -> None:
        self.receivers.clear()
        self.holders.clear()
        self.holding.clear()
        self.followed.clear()
        self.unknown.clear()

    # ---- top-down facts ------------------------------------------------------------------------
    def visit_call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in MODE_METHODS and isinstance(func.value, cst.Call):
            self.receivers.add(id(func.value))
            inner = func.value   # `initialized(torch.nn.X(...), ...).eval()`: the wrapper returns the layer it is given
            if self.rw.imports.resolve(inner.func) in PASSTHROUGH and inner.args \
                    and isinstance(inner.args[0].value, cst.Call):
                self.receivers.add(id(inner.args[0].value))
        for arg in node.args:
            for value in _values(arg.value):
                if isinstance(value, cst.Call):
                    self.holders[id(value)] = node

    def plan_block(self, body) -> None:
        """Find ``name = X(...)`` whose name's next use in this block is ``name.set_train()``/``train()``/``eval()``."""
        statements = list(body)
        names: dict[int, set[str]] = {}   # each statement's names, walked once per block
        for index, stmt in enumerate(statements):
            assigned = _assigned_call(stmt)
            if assigned is None:
                continue
            name, call = assigned
            for later in range(index + 1, len(statements)):
                if later not in names:
                    names[later] = _names(statements[later])
                if name in names[later]:
                    if _sets_mode(statements[later], name):
                        self.followed.add(id(call))
                    elif self._built_elsewhere(call) and _used_as_network(statements[later:], name):
                        self.unknown[id(call)] = (name, dotted_name(call.func))
                    break

    # ---- the decision ----------------------------------------------------------------------------
    def leave_call(self, original: cst.Call, result, kind: str | None):
        """``result`` with the source framework's mode written after it where needed."""
        rw = self.rw
        if id(original) in self.unknown and not (rw.classes and self._is_network_class(rw.classes[-1])):
            name, callee = self.unknown[id(original)]
            method = MODE_CALL[rw.target][0] + "()"
            rw.record(original, API, rpt.REVIEW, None, UNKNOWN[rw.target].format(name=name, callee=callee,
                                                                                method=method))
            return result
        if kind != TARGET or not isinstance(result, cst.BaseExpression) or not self._needs(original):
            return result
        holder = self.holders.get(id(original))
        if holder is not None and self._builds_network(holder):
            self.holding.add(id(holder))   # the container/network being built gets the mode call
            return result
        if id(original) in self.receivers or id(original) in self.followed:
            return result
        if rw.classes and self._is_network_class(rw.classes[-1]):
            return result   # a child: the outermost construction sets it
        method, why = MODE_CALL[rw.target]
        cls = self._class(original.func)
        if cls is not None and self._sets_own_mode(cls):
            rw.record(original, API, rpt.REVIEW, None, OWN_MODE[rw.target].format(cls=cls.name.value))
            return result
        if self._project_name(original.func) in rw.project.own_mode:
            rw.record(original, API, rpt.REVIEW, None, OWN_MODE[rw.target].format(cls=rw.code_of(original.func)))
            return result
        held = self._held(original)
        if held:
            rw.record(original, API, rpt.REVIEW, None, HELD[rw.target].format(held=", ".join(held)))
            return result
        rw.record(original, API, rpt.CONVERTED, f".{method}()", why)
        return cst.Call(func=cst.Attribute(value=result, attr=cst.Name(method)))

    def _held(self, call: cst.Call) -> list[str]:
        """Framework objects built before and passed to this construction: a recursive mode call would reset
        theirs too, where neither framework's constructor touches a child's mode."""
        rw = self.rw
        if rw.bindings is None:
            return []
        return [rw.code_of(v) for a in call.args for v in _values(a.value) if isinstance(v, (cst.Name, cst.Attribute))
                and rw.imports.resolve(v) is None and rw.bindings.kind(v) == TARGET and self._may_hold_network(v)]

    def _may_hold_network(self, node) -> bool:
        """Not a class passed as a value (``ResNet(Bottleneck, ...)``), nor a name bound only to framework
        objects that are not networks (an optimizer, a loss): ``self.net`` and networks are."""
        if not isinstance(node, cst.Name):
            return True
        if self._class(node) is not None:
            return False
        passed = self.rw.bindings.parameter_arguments(node)
        if passed:   # a parameter every call of its function gives a class (``_resnet(arch, block, ...)``)
            return not all(isinstance(v, cst.Name) and self._class(v) is not None for v in passed)
        values = self.rw.bindings.assigned_values(node)
        if not values:
            return True
        return any(not isinstance(v, cst.Call) or self._network_call(_unmoded(_unmoved(v))) for v in values)

    def _network_call(self, call: cst.Call) -> bool:
        qualified = self.rw.imports.resolve(call.func)
        if qualified is not None:
            return mode_dependent(qualified) or _is_container(qualified)
        cls = self._class(call.func)
        return cls is None or self._is_network_class(cls)   # an untyped call may build one

    def _project_name(self, func) -> str | None:
        """How the run's project index spells ``func``, if it names a network of another file converted in the
        same run (``Bindings.project_name``)."""
        return self.rw.bindings.project_name(func) if self.rw.bindings is not None else None

    def _built_elsewhere(self, call: cst.Call) -> bool:
        """A class (CapWords, by convention) imported from a module that is neither a framework nor a known
        library: the converter cannot see whether it is a network, nor which mode its file sets."""
        rw = self.rw
        if rw.bindings is None or self._project_name(call.func) is not None:   # known: see _needs
            return False
        qualified = rw.bindings.qualify(call.func)
        if qualified is None or framework_of(qualified) or mirror_framework_of(qualified) \
                or qualified.split(".", 1)[0] in OTHER_ROOTS | NOT_NETWORK_ROOTS:
            return False
        last = qualified.rsplit(".", 1)[-1]
        return last[:1].isupper() and not last.isupper()

    def _sets_own_mode(self, cls: cst.ClassDef) -> bool:
        """The class's ``__init__`` (or a base's of this file) calls a mode method on itself or a child: writing
        the default after the construction would undo it. (A mode call in another method, such as an override
        of ``train()`` that keeps a backbone in eval, does not run at construction.)"""
        finder = _ModeCalls()
        for stmt in cls.body.body:
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "__init__":
                walk(stmt, finder)
        if finder.found:
            return True
        return any(self._class(base.value) is not None and self._sets_own_mode(self._class(base.value))
                   for base in cls.bases)

    def _needs(self, call: cst.Call) -> bool:
        project_name = self._project_name(call.func)
        if project_name is not None:   # a network class of another file of the run (a factory sets it there)
            return project_name in self.rw.project.classes
        qualified = self.rw.imports.resolve(call.func)
        if qualified is not None:
            return mode_dependent(qualified) or (_is_container(qualified) and id(call) in self.holding)
        cls = self._class(call.func)
        return cls is not None and self._is_network_class(cls)

    def _builds_network(self, call: cst.Call) -> bool:
        qualified = self.rw.imports.resolve(call.func)
        if qualified is not None:
            return _is_container(qualified)
        cls = self._class(call.func)
        return cls is not None and self._is_network_class(cls)

    def _class(self, func) -> cst.ClassDef | None:
        if not isinstance(func, cst.Name) or self.rw.bindings is None:
            return None
        found = self.rw.bindings._assignments(func)
        node = getattr(found[0], "node", None) if found and len(found) == 1 else None   # a builtin has none
        return node if isinstance(node, cst.ClassDef) else None

    def _is_network_class(self, cls: cst.ClassDef) -> bool:
        if id(cls) not in self.networks:
            self.networks[id(cls)] = False   # a cycle of bases counts as not a network
            self.networks[id(cls)] = any(self._network_base(value) for value in base_values(cls))
        return self.networks[id(cls)]

    def _network_base(self, base) -> bool:
        if self._project_name(base) in self.rw.project.classes:
            return True
        qualified = self.rw.imports.resolve(base)
        if qualified is not None:
            return qualified in MODULE_BASES or mode_dependent(qualified) or _is_container(qualified)
        cls = self._class(base)
        return cls is not None and self._is_network_class(cls)


class _ModeCalls(cst.CSTVisitor):
    """``self.set_train(...)`` / ``self.eval()`` / ``self.train(...)`` / ``self.<child>.eval()``."""

    def __init__(self):
        self.found = False

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in MODE_METHODS:
            root = func.value
            while isinstance(root, cst.Attribute):
                root = root.value
            self.found = self.found or (isinstance(root, cst.Name) and root.value == "self")


class _NetworkUse(cst.CSTVisitor):
    """Whether ``name`` is used as a network: a network method on it, or passed to a network consumer."""

    def __init__(self, name: str):
        self.name, self.found = name, False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value == self.name and node.attr.value in NETWORK_METHODS:
            self.found = True

    def visit_Call(self, node: cst.Call) -> None:
        # the network is the first argument (``WithLossCell(net, loss)``: the loss is not evidence)
        if _last_name(node.func) in NETWORK_CONSUMERS and node.args and isinstance(node.args[0].value, cst.Name) \
                and node.args[0].value.value == self.name:
            self.found = True


def _used_as_network(statements, name: str) -> bool:
    """Used as a network in these statements, not given a mode before its first use that depends on the mode,
    and not handed to ``Model`` (whose train/eval set the mode)."""
    use = _NetworkUse(name)
    for stmt in statements:
        walk(stmt, use)
    if not use.found or _mode_set_first(statements, name):
        return False
    handed = _Handed(name)
    for stmt in statements:
        walk(stmt, handed)
    return not handed.found


def _mode_set_first(statements, name: str) -> bool:
    """A mode call on ``name`` comes before any statement that uses it otherwise than through a network method
    (loading weights, listing parameters, moving it to a device do not depend on the mode)."""
    for stmt in statements:
        if _sets_mode(stmt, name):
            return True
        uses = _Uses(name)
        walk(stmt, uses)
        if uses.all > uses.neutral:
            return False
    return False


class _Uses(cst.CSTVisitor):
    """How often ``name`` occurs, and how often as the receiver of a method that does not depend on the mode."""

    def __init__(self, name: str):
        self.name, self.all, self.neutral = name, 0, 0

    def visit_Name(self, node: cst.Name) -> None:
        self.all += node.value == self.name

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value == self.name \
                and node.attr.value in NETWORK_METHODS | DEVICE_MOVES:
            self.neutral += 1


class _Handed(cst.CSTVisitor):
    def __init__(self, name: str):
        self.name, self.found = name, False

    def visit_Call(self, node: cst.Call) -> None:
        if _last_name(node.func) in SETS_MODE_ITSELF and node.args and isinstance(node.args[0].value, cst.Name) \
                and node.args[0].value.value == self.name:
            self.found = True


def _last_name(func) -> str | None:
    """``load_param_into_net`` of ``mindspore.load_param_into_net`` or of a bare name."""
    return func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None


def _values(value):
    """The expression and, for a literal list/tuple/dict, its elements."""
    yield value
    if isinstance(value, (cst.List, cst.Tuple)):
        for element in value.elements:
            yield element.value
    elif isinstance(value, cst.Dict):
        for element in value.elements:
            if isinstance(element, cst.DictElement):
                yield element.value


def _assigned_call(stmt) -> tuple[str, cst.Call] | None:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name) \
            and isinstance(small.value, cst.Call):
        return small.targets[0].target.value, _unmoved(small.value)
    return None


def _unmoded(call: cst.Call) -> cst.Call:
    """``Net().eval()`` (an earlier run's default mode) -> ``Net()``."""
    if isinstance(call.func, cst.Attribute) and call.func.attr.value in MODE_METHODS \
            and isinstance(call.func.value, cst.Call):
        return call.func.value
    return call


def _unmoved(call: cst.Call) -> cst.Call:
    """``Net().to(device)`` -> ``Net()``: rules.devices removes the move to MindSpore, so a second run sees the
    construction alone."""
    while isinstance(call.func, cst.Attribute) and call.func.attr.value in DEVICE_MOVES \
            and isinstance(call.func.value, cst.Call):
        call = call.func.value
    return call


class _Names(cst.CSTVisitor):
    def __init__(self):
        self.found: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.found.add(node.value)


def _names(stmt) -> set[str]:
    visitor = _Names()
    walk(stmt, visitor)
    return visitor.found


def _sets_mode(stmt, name: str) -> bool:
    """``name.set_train(...)`` / ``name.train(...)`` / ``name.eval()`` / ``module_train(name, ...)`` as a statement."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1 or not isinstance(stmt.body[0], cst.Expr):
        return False
    call = stmt.body[0].value
    if not isinstance(call, cst.Call):
        return False
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in MODE_METHODS:
        return isinstance(func.value, cst.Name) and func.value.value == name
    return _last_name(func) in MODE_FUNCTIONS and bool(call.args) and isinstance(call.args[0].value, cst.Name) \
        and call.args[0].value.value == name
