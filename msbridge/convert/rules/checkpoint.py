"""Checkpoint calls: ``save_checkpoint``/``load_checkpoint``/``load_param_into_net`` <-> ``torch.save``/``torch.load``/``load_state_dict``.

Why a rule and not table rows: the translations change the call's shape
(``ms.save_checkpoint(net, p)`` is ``torch.save(net.state_dict(), p)``; ``load_param_into_net(net, sd)``
is a METHOD of ``net`` in torch), which the row schema (a name and argument rules) cannot say.
The data lives here for that reason.

A converted script reads and writes its own framework's format. Loading decides per call:

* the path expression is, as written, the path of a save call of the same file: the script wrote
  the file itself, so the target framework's own loader is emitted;
* otherwise the file may be the ORIGINAL framework's (a pretrained ``.ckpt`` when going to torch):
  ``msbridge.bridge.checkpoint_script``'s loader is emitted, which reads either format by content.

The line says which was emitted (``# msbridge: note: ...``).

torch -> MindSpore, any other ``torch.save(obj, f)`` (a checkpoint dictionary, the state_dict of a network
the converter cannot type) and any ``torch.load`` of a path that is neither this script's MindSpore
checkpoint nor a ``.ckpt``/``.safetensors`` name keep torch's own file format, written and read without
torch by ``msbridge.torch.serialization`` (a load passed straight to ``load_state_dict`` goes to the bridge
loader, which also renames torch's parameter names, and reads torch's format without torch the same way);
``load_state_dict`` itself stays: MindSpore 2.10's Cell has torch's (``rules.module_mode``).
Anything else (extra arguments, a whole network object, an optimizer's state) is left as is and marked
``review`` with the reason.
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.bindings import TARGET
from msbridge.convert.rules import module_mode
from msbridge.convert.walk import walk

SAVE = {"mindspore": ("mindspore.save_checkpoint", "mindspore.train.save_checkpoint",
                      "mindspore.train.serialization.save_checkpoint"),
        "torch": ("torch.save", "torch.serialization.save")}
LOAD = {"mindspore": ("mindspore.load_checkpoint", "mindspore.train.load_checkpoint",
                      "mindspore.train.serialization.load_checkpoint"),
        "torch": ("torch.load", "torch.serialization.load")}
LOAD_INTO = ("mindspore.load_param_into_net", "mindspore.train.load_param_into_net",
             "mindspore.train.serialization.load_param_into_net")
# argument names, in order, of the framework functions (mindspore 2.x, torch 2.x signatures)
SIGNATURES = {
    "mindspore.save_checkpoint": ("save_obj", "ckpt_file_name", "integrated_save", "async_save", "append_dict"),
    "mindspore.load_checkpoint": ("ckpt_file_name", "net", "strict_load", "filter_prefix"),
    "mindspore.load_param_into_net": ("net", "parameter_dict", "strict_load", "remove_redundancy"),
    "torch.save": ("obj", "f", "pickle_module", "pickle_protocol"),
    "torch.load": ("f", "map_location", "pickle_module", "weights_only", "mmap"),
    ".load_state_dict()": ("state_dict", "strict", "assign"),
}
BRIDGE_LOADER = {"torch": "msbridge.bridge.checkpoint_script.load_torch_state_dict",
                 "mindspore": "msbridge.bridge.checkpoint_script.load_mindspore_checkpoint"}
OPTIMIZER_HINTS = (".optim.", ".optim", "Optimizer")
# torch -> MindSpore: every other torch.save/torch.load keeps torch's file format, read and written without torch
TORCH_FORMAT = {"save": "msbridge.torch.serialization.save", "load": "msbridge.torch.serialization.load"}
TORCH_FORMAT_NOTE = ("torch's own zip format, written and read without torch (msbridge.torch.serialization): real "
                     "torch reads what it writes and the other way round; tensors load as MindSpore tensors, "
                     "only tensors and plain containers (torch's weights_only=True)")


def _bind(call: cst.Call, names: tuple[str, ...]) -> dict[str, cst.BaseExpression] | None:
    """Argument name -> value expression, or None for ``*args``/``**kw`` or an unknown keyword."""
    out = {}
    for i, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is None:
            if i >= len(names):
                return None
            out[names[i]] = arg.value
        elif arg.keyword.value in names:
            out[arg.keyword.value] = arg.value
        else:
            return None
    return out


def _literal(node: cst.BaseExpression | None):
    """True/False for a literal bool, None when absent, ``...`` for anything else."""
    if node is None:
        return None
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return ...


def _ckpt_literal(node: cst.BaseExpression):
    """For a plain one-line string literal: (its value, the literal with ``.ckpt`` appended); else None."""
    if not isinstance(node, cst.SimpleString) or node.value[-3:] in ('"""', "'''") or "\\" in node.value:
        return None
    return node.evaluated_value, node.with_changes(value=node.value[:-1] + ".ckpt" + node.value[-1])


def _arg(value: cst.BaseExpression, keyword: str | None = None) -> cst.Arg:
    if keyword is None:
        return cst.Arg(value=value)
    return cst.Arg(value=value, keyword=cst.Name(keyword), equal=cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))


def _with_args(call: cst.Call, args: list[cst.Arg]) -> list[cst.Arg]:
    """``args`` separated by ", " (keeps the call's own commas out of the way)."""
    out = []
    for i, arg in enumerate(args):
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if i < len(args) - 1 else cst.MaybeSentinel.DEFAULT
        out.append(arg.with_changes(comma=comma))
    return out


def _network_of(state_call: cst.Call) -> cst.BaseExpression:
    """``net`` of ``net.state_dict()`` as rewritten: ``module_state_dict(net)`` when rules.module_mode ran first."""
    if isinstance(state_call.func, cst.Attribute):
        return state_call.func.value
    return state_call.args[0].value


class CheckpointCalls:
    """The checkpoint rule of one file's ``Rewriter`` (``call`` is its hook in ``Rewriter._call``)."""

    def __init__(self, rewriter):
        self.rw = rewriter
        self._facts_of = None      # id(bindings) the facts below were computed for
        self.saved: set[str] = set()        # code of every save call's path argument
        self.optimizers: set[str] = set()   # code of names assigned an optimizer
        self.loaded_into: set[str] = set()
        self.saved_torch_format: set[str] = set()

    # ---- facts over the whole file ---------------------------------------------------------------
    def _facts(self) -> None:
        bindings = self.rw.bindings
        if bindings is None or self._facts_of == id(bindings):
            return
        self._facts_of, self.saved, self.optimizers = id(bindings), set(), set()
        self.loaded_into = set()   # code of every call whose result goes straight into .load_state_dict()
        self.saved_torch_format = set()   # code of the paths msbridge.torch.serialization.save writes
        code = cst.Module(body=[]).code_for_node
        saves = []

        class Walk(cst.CSTVisitor):
            def visit_Call(self, node):
                name = bindings.qualify(node.func)
                if name in SAVE["mindspore"] or name in SAVE["torch"]:
                    sig = SIGNATURES["mindspore.save_checkpoint" if name.startswith("mindspore") else "torch.save"]
                    bound = _bind(node, sig)
                    if bound and sig[1] in bound:
                        saves.append((name, bound))

            def leave_Call(self, node):   # `net.load_state_dict(torch.load(p))`: the load feeds a network
                if isinstance(node.func, cst.Attribute) and node.func.attr.value == "load_state_dict" \
                        and node.args and isinstance(node.args[0].value, cst.Call):
                    self_.loaded_into.add(code(node.args[0].value))

            def visit_Assign(self, node):
                if isinstance(node.value, cst.Call) and self_._is_optimizer(node.value):
                    for target in node.targets:
                        self_.optimizers.add(code(target.target))

        self_ = self
        walk(bindings.module, Walk())
        for name, bound in saves:
            # to MindSpore only a network's state_dict() becomes a MindSpore checkpoint; any other torch.save
            # writes torch's own format (msbridge.torch.save), which load_checkpoint cannot read
            path = code(bound[SIGNATURES["torch.save" if name in SAVE["torch"] else "mindspore.save_checkpoint"][1]])
            if self.rw.target == "torch" or name not in SAVE["torch"] or self._native_save(bound["obj"], bound["f"]):
                self.saved.add(path)
            else:
                self.saved_torch_format.add(path)

    def _native_save(self, obj: cst.BaseExpression, path: cst.BaseExpression) -> bool:
        """``net.state_dict()`` of a network known to become a MindSpore Cell, saved to a path written as a string
        (saved with save_checkpoint). A computed path goes to msbridge.torch.serialization instead: MindSpore's
        save appends .ckpt to a name without it, so the script's own loads of that path would miss the file."""
        return (_ckpt_literal(path) is not None and isinstance(obj, cst.Call) and isinstance(obj.func, cst.Attribute)
                and obj.func.attr.value == "state_dict" and not obj.args and self._network(obj.func.value) is None)

    def _plain_object(self, obj: cst.BaseExpression, depth: int = 3) -> bool:
        """A dict/list/tuple display, a ``state_dict()`` call, or a name every assignment of which is one (a
        function's parameter: what every call of it in this file passes): what
        ``msbridge.torch.serialization.save`` writes as torch does."""
        if isinstance(obj, (cst.Dict, cst.List, cst.Tuple)):
            return True
        if isinstance(obj, cst.Call) and isinstance(obj.func, cst.Attribute) and obj.func.attr.value == "state_dict":
            return True
        bindings = self.rw.bindings
        if not isinstance(obj, cst.Name) or bindings is None or depth == 0:
            return False
        values = bindings.assigned_values(obj)
        if values:
            return all(self._plain_object(v, depth - 1) for v in values)
        passed = bindings.parameter_arguments(obj)
        return bool(passed) and all(arg is not None and self._plain_object(arg, depth - 1) for arg in passed)

    def _is_optimizer(self, call: cst.Call) -> bool:
        name = self.rw.imports.resolve(call.func)
        if name is None:
            return False
        if any(h in name for h in OPTIMIZER_HINTS):
            return True
        # msbridge's twins carry the imitated API's name (msbridge.mindspore.nn.SGD is mindspore.nn.SGD): a
        # second run must see the optimizer the first one did
        name = name.removeprefix("msbridge.")
        for framework in ("mindspore", "torch"):
            for row in self.rw.catalog.rows(name, framework):
                if any(".optim." in row.side(f).name for f in ("mindspore", "torch") if row.side(f) is not None):
                    return True
        return False

    def _network(self, node: cst.BaseExpression) -> str | None:
        """Why ``node`` cannot be treated as a network of the target framework, or None when it can."""
        text = self.rw.code_of(node)
        if text in self.optimizers:
            return f"`{text}` is an optimizer: its state does not cross this way (see msbridge.bridge.optimizer_state)"
        if self.rw.bindings is None or self.rw.bindings.kind(node) != TARGET:
            # a plain name reads the same after the rewrite; other expressions may not (a second run must agree)
            shown = f"`{text}`" if isinstance(node, (cst.Name, cst.Attribute)) else "this object"
            return f"{shown} is not known to become a {self.rw.target} network"
        return None

    # ---- the hook ----------------------------------------------------------------------------------
    def call(self, original: cst.Call, updated: cst.Call):
        """The rewritten call, ``updated`` itself when marked for review, or None when not a checkpoint call."""
        name = self.rw.imports.resolve(original.func)
        source, target = self.rw.source, self.rw.target
        if name is None:
            if target == "mindspore" and isinstance(original.func, cst.Attribute) \
                    and original.func.attr.value == "load_state_dict":
                self._facts()
                return self._load_state_dict(original, updated)
            return None
        if name in SAVE[source] or name in LOAD[source] or (source == "mindspore" and name in LOAD_INTO):
            self._facts()
            if name in SAVE[source]:
                return self._save(original, updated, SAVE[source][0])
            if name in LOAD[source]:
                return self._load(original, updated, LOAD[source][0])
            return self._load_param_into_net(original, updated)
        return None

    def _review(self, original, updated, api: str, why: str):
        self.rw.record(original, api, rpt.REVIEW, None, why)
        return updated

    def _save(self, original, updated, api):
        sig = SIGNATURES[api]
        bound = _bind(updated, sig)
        if bound is None or set(bound) != set(sig[:2]):
            return self._review(original, updated, api, f"only {api}({sig[0]}, {sig[1]}) is converted")
        obj, path = bound[sig[0]], bound[sig[1]]
        if self.rw.target == "torch":
            why = self._network(_bind(original, sig)[sig[0]])
            if why:
                return self._review(original, updated, api, why)
            state = cst.Call(func=cst.Attribute(value=obj, attr=cst.Name("state_dict")))
            self.rw.record(original, api, rpt.CONVERTED, "torch.save", "torch.save(net.state_dict(), path)")
            return updated.with_changes(func=self.rw.needs.reference("torch.save"),
                                        args=_with_args(updated, [_arg(state), _arg(path)]))
        original_obj = _bind(original, sig)[sig[0]]
        if not self._native_save(original_obj, path):
            if not self._plain_object(original_obj):
                if self.rw.bindings is not None and self.rw.bindings.kind(original_obj) == TARGET:
                    return self._review(original, updated, api, "saves a whole network object: torch pickles the "
                                        "module, a MindSpore Cell is not pickled; save its state_dict() instead")
                return self._review(original, updated, api, "saves an object msbridge cannot see is a state_dict or "
                                    "a dict/list/tuple: torch pickles any object, msbridge.torch.serialization "
                                    "writes tensors and plain containers (a MindSpore Cell is not pickled)")
            self.rw.record(original, api, rpt.CONVERTED, TORCH_FORMAT["save"], TORCH_FORMAT_NOTE)
            return updated.with_changes(func=self.rw.needs.reference(TORCH_FORMAT["save"]))
        literal = _ckpt_literal(path)
        if literal is None or not literal[0].endswith(".ckpt"):
            written = f"{literal[0]}.ckpt" if literal else "the path + '.ckpt' when it does not end with .ckpt"
            self.rw.mark(f"note: MindSpore appends .ckpt: this writes {written}")
        self.rw.record(original, api, rpt.CONVERTED, "mindspore.save_checkpoint", "mindspore.save_checkpoint(net, path)")
        return updated.with_changes(func=self.rw.needs.reference("mindspore.save_checkpoint"),
                                    args=_with_args(updated, [_arg(_network_of(obj)), _arg(path)]))

    def _load(self, original, updated, api):
        sig = SIGNATURES[api]
        bound = _bind(updated, sig)
        allowed = {"f", "map_location", "weights_only"} if api == "torch.load" else {"ckpt_file_name"}
        if bound is None or not bound or set(bound) - allowed or sig[0] not in bound:
            return self._review(original, updated, api, f"only {api}({sig[0]}) is converted"
                                + (" (map_location and weights_only=True allowed)" if api == "torch.load" else ""))
        if api == "torch.load" and _literal(bound.get("weights_only")) not in (None, True):
            return self._review(original, updated, api, "weights_only is not True: the file may hold arbitrary "
                                "objects, which a MindSpore checkpoint cannot")
        path = bound[sig[0]]
        own = self.rw.code_of(_bind(original, sig)[sig[0]]) in self.saved
        target = self.rw.target
        if own:
            native = "torch.load" if target == "torch" else "mindspore.load_checkpoint"
            args = [_arg(path)] + ([_arg(cst.Name("True"), "weights_only")] if target == "torch" else [])
            note = f"this file's own save writes this path: {native} reads it"
            if target == "mindspore":
                literal = _ckpt_literal(path)
                if literal is None:
                    return self._review(original, updated, api, "MindSpore's save appends .ckpt to a name that does "
                                        "not end with it, and load_checkpoint reads only .ckpt names: spell the path "
                                        "with .ckpt")
                if not literal[0].endswith(".ckpt"):
                    args = [_arg(literal[1])]
                    note += f" under the name MindSpore's save gave it ({literal[0]}.ckpt)"
        else:
            native = BRIDGE_LOADER[target]
            args = [_arg(path)]
            note = (f"msbridge loader: the script did not write this path itself, so it may be "
                    f"{'MindSpore' if target == 'torch' else 'torch'}'s file; read by content")
        literal = _ckpt_literal(path)
        if not own and target == "mindspore" and (literal is None or not literal[0].endswith((".ckpt", ".safetensors"))) \
                and self.rw.code_of(original) not in self.loaded_into:
            # a torch file (written by torch, or by this script's msbridge.torch.save): read without torch. One
            # loaded straight into a network goes to the bridge loader instead, which also renames torch's names
            self.rw.record(original, api, rpt.CONVERTED, TORCH_FORMAT["load"], TORCH_FORMAT_NOTE)
            return updated.with_changes(func=self.rw.needs.reference(TORCH_FORMAT["load"]))
        if api == "torch.load" and "map_location" in bound:
            note += "; map_location dropped (MindSpore places tensors itself)"
        if target == "mindspore" and self.rw.code_of(_bind(original, sig)[sig[0]]) in self.saved_torch_format:
            # this script's own msbridge.torch.serialization.save wrote it: nothing for the user to check
            self.rw.record(original, api, rpt.CONVERTED, native, "this file's own save writes this path in torch's "
                           "format: the bridge loader reads it by content")
            return updated.with_changes(func=self.rw.needs.reference(native), args=_with_args(updated, args))
        self.rw.record(original, api, rpt.CONVERTED, native, note)
        self.rw.mark(f"note: {note}")
        return updated.with_changes(func=self.rw.needs.reference(native), args=_with_args(updated, args))

    def _load_param_into_net(self, original, updated):
        api = "mindspore.load_param_into_net"
        sig = SIGNATURES[api]
        bound = _bind(updated, sig)
        if bound is None or not {"net", "parameter_dict"} <= set(bound) \
                or _literal(bound.get("strict_load")) is ... \
                or _literal(bound.get("remove_redundancy")) not in (None, False):
            return self._review(original, updated, api, "only load_param_into_net(net, parameter_dict[, strict_load="
                                "True/False]) is converted")
        why = self._network(_bind(original, sig)["net"])
        if why:
            return self._review(original, updated, api, why)
        note = ("same keys loaded and the same (not-loaded-from-net, not-loaded-from-dict) lists returned "
                "as (missing_keys, unexpected_keys)")
        if not _literal(bound.get("strict_load")):
            note += "; MindSpore's suffix matching of names that do not match exactly is not done"
        self.rw.record(original, api, rpt.CONVERTED, ".load_state_dict(strict=False)", note)
        method = cst.Attribute(value=bound["net"], attr=cst.Name("load_state_dict"))
        return updated.with_changes(func=method, args=_with_args(updated, [
            _arg(bound["parameter_dict"]), _arg(cst.Name("False"), "strict")]))

    def _load_state_dict(self, original, updated):
        """``net.load_state_dict(sd[, strict])`` stays: MindSpore 2.10's Cell has torch's method (rules.module_mode)."""
        api = ".load_state_dict()"
        receiver = original.func.value
        why = self._network(receiver)
        if why and self.rw.code_of(receiver) in self.optimizers:   # converted on a twin (rules.optimizer_state)
            return self.rw.optimizer_state.call(original, updated, self.optimizers)
        if why is not None and self.rw.bindings is not None and self.rw.bindings.kind(receiver) is not None:
            return None   # a non-framework object's method stays
        done = module_mode.dispatch(self.rw, original, updated, self.optimizers)
        if done is None and why is None:
            return self._review(original, updated, api, "only .load_state_dict(state_dict[, strict]) is converted "
                                "(MindSpore's Cell.load_state_dict has no assign)")
        return done
