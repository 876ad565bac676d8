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

The line says which was emitted (``# msbridge: note: ...``). Anything else (extra arguments,
an object that is not known to become a target-framework network, an optimizer) is left as is
and marked ``review`` with the reason.
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.bindings import TARGET
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


class CheckpointCalls:
    """The checkpoint rule of one file's ``Rewriter`` (``call`` is its hook in ``Rewriter._call``)."""

    def __init__(self, rewriter):
        self.rw = rewriter
        self._facts_of = None      # id(bindings) the facts below were computed for
        self.saved: set[str] = set()        # code of every save call's path argument
        self.optimizers: set[str] = set()   # code of names assigned an optimizer

    # ---- facts over the whole file ---------------------------------------------------------------
    def _facts(self) -> None:
        bindings = self.rw.bindings
        if bindings is None or self._facts_of == id(bindings):
            return
        self._facts_of, self.saved, self.optimizers = id(bindings), set(), set()
        code = cst.Module(body=[]).code_for_node

        class Walk(cst.CSTVisitor):
            def visit_Call(self, node):
                name = bindings.qualify(node.func)
                if name in SAVE["mindspore"] or name in SAVE["torch"]:
                    sig = SIGNATURES["mindspore.save_checkpoint" if name.startswith("mindspore") else "torch.save"]
                    bound = _bind(node, sig)
                    if bound and sig[1] in bound:
                        self_.saved.add(code(bound[sig[1]]))

            def visit_Assign(self, node):
                if isinstance(node.value, cst.Call) and self_._is_optimizer(node.value):
                    for target in node.targets:
                        self_.optimizers.add(code(target.target))

        self_ = self
        walk(bindings.module, Walk())

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
        if not (isinstance(original_obj, cst.Call) and isinstance(original_obj.func, cst.Attribute)
                and original_obj.func.attr.value == "state_dict" and not original_obj.args):
            return self._review(original, updated, api, "saves an object other than a network's state_dict(): "
                                "a MindSpore checkpoint holds parameters only")
        why = self._network(original_obj.func.value)
        if why:
            return self._review(original, updated, api, why)
        literal = _ckpt_literal(path)
        if literal is None or not literal[0].endswith(".ckpt"):
            written = f"{literal[0]}.ckpt" if literal else "the path + '.ckpt' when it does not end with .ckpt"
            self.rw.mark(f"note: MindSpore appends .ckpt: this writes {written}")
        self.rw.record(original, api, rpt.CONVERTED, "mindspore.save_checkpoint", "mindspore.save_checkpoint(net, path)")
        return updated.with_changes(func=self.rw.needs.reference("mindspore.save_checkpoint"),
                                    args=_with_args(updated, [_arg(obj.func.value), _arg(path)]))

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
        if api == "torch.load" and "map_location" in bound:
            note += "; map_location dropped (MindSpore places tensors itself)"
        literal = _ckpt_literal(path)
        if not own and target == "mindspore" and (literal is None or not literal[0].endswith((".ckpt", ".safetensors"))):
            # msbridge reads a torch .pt with torch.load(weights_only=True): it needs torch installed
            note += ("; a torch .pt/.pth/.bin file needs torch installed to be read: convert it once with "
                     "`msbridge ckpt` to .ckpt and load that to run without torch")
            self.rw.record(original, api, rpt.REVIEW, native, note)
        else:
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
        api = ".load_state_dict()"
        why = self._network(original.func.value)
        if why and self.rw.code_of(original.func.value) in self.optimizers:
            return self._review(original, updated, api, why)
        if why:
            return None   # not known to be a network: left to the method rule (a non-framework object's stays)
        bound = _bind(updated, SIGNATURES[api])
        strict = _literal(bound.get("strict")) if bound else ...
        if bound is None or "state_dict" not in bound or strict is ... \
                or _literal(bound.get("assign")) not in (None, False):
            return self._review(original, updated, api, "only .load_state_dict(state_dict[, strict=True/False]) "
                                "is converted")
        args = [_arg(updated.func.value), _arg(bound["state_dict"]), _arg(cst.Name("True"), "strict_load")]
        new = updated.with_changes(func=self.rw.needs.reference("mindspore.load_param_into_net"),
                                   args=_with_args(updated, args))
        if strict is False:
            self.rw.record(original, api, rpt.CONVERTED, "mindspore.load_param_into_net",
                           "returns (param_not_load, ckpt_not_load) like torch's (missing_keys, unexpected_keys)")
        else:
            self.rw.record(original, api, rpt.REVIEW, "mindspore.load_param_into_net",
                           "torch's strict=True raises on missing or unexpected keys; MindSpore returns them "
                           "(param_not_load, ckpt_not_load) instead: check them")
        return new
