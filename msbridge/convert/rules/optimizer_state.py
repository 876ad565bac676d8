"""Optimizer and LR-scheduler state that a checkpoint carries (torch -> MindSpore).

A torch script resumes with ``optimizer.load_state_dict(ckpt['optimizer'])`` and
``scheduler.load_state_dict(ckpt['scheduler'])`` after saving ``optimizer.state_dict()``: momentum
buffers, Adam's moments and steps, every group's hyper-parameters, in torch's layout. MindSpore's
optimizers keep their state as Cell parameters under other names (``mindspore.nn.SGD.state_dict()`` is
a Cell's), so that state would neither load from a torch checkpoint nor from the port's own. msbridge's
twins keep torch's layout and load rules (``msbridge.torch.optim.SGD/Adam/AdamW`` and every
``msbridge.torch.optim.lr_scheduler`` class; tests/torch/test_ptoptim_state_dict.py and
tests/torch/test_optimizer_state_resume.py resume from a file real torch wrote and continue as torch does).
So:

* an optimizer constructor whose result's state is saved or loaded in this file goes to the twin even
  where a native row exists (``torch.optim.SGD`` -> ``msbridge.torch.optim.SGD``, not ``mindspore.nn.SGD``);
* ``X.state_dict()`` / ``X.load_state_dict(sd)``, where every assignment of ``X`` is such a constructor or
  an LR scheduler with a twin, is converted: the same call on the twin;
* on any other optimizer the call is ``review``: its state does not cross.
"""
from __future__ import annotations

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.walk import walk

STATE_METHODS = ("state_dict", "load_state_dict")
TWINS = "msbridge.torch.optim."
WHY = {"state_dict": "msbridge's twin returns torch's optimizer/scheduler state_dict layout (the same keys and "
                     "values; tensors as MindSpore tensors)",
       "load_state_dict": "msbridge's twin loads torch's optimizer/scheduler state_dict layout (one written by real "
                          "torch or by this program) and continues as torch does"}
CHOSEN = "its state is saved or loaded in this file (state_dict/load_state_dict): msbridge's twin keeps torch's layout"


class OptimizerState:
    """The file's optimizer/scheduler state calls (one per ``Rewriter``)."""

    def __init__(self, rewriter):
        self.rw = rewriter
        self._facts_of = None
        self.receivers: set[str] = set()                         # code of X in X.state_dict() / X.load_state_dict()
        self.assigned: dict[str, list[cst.BaseExpression]] = {}  # code of an assignment target -> values

    def _facts(self) -> None:
        bindings = self.rw.bindings
        if bindings is None or self._facts_of == id(bindings):
            return
        self._facts_of, self.receivers, self.assigned = id(bindings), set(), {}
        code = cst.Module(body=[]).code_for_node
        owner = self

        class Walk(cst.CSTVisitor):
            def visit_Call(self, node):
                if isinstance(node.func, cst.Attribute) and node.func.attr.value in STATE_METHODS:
                    owner.receivers.add(code(node.func.value))

            def visit_Assign(self, node):
                for target in node.targets:
                    if isinstance(target.target, (cst.Name, cst.Attribute)):
                        owner.assigned.setdefault(code(target.target), []).append(node.value)

        walk(bindings.module, Walk())

    def _twin_of(self, value) -> str | None:
        """msbridge's torch-layout twin a constructor call becomes (or already is), else None."""
        if not isinstance(value, cst.Call) or self.rw.bindings is None:
            return None
        name = self.rw.bindings.qualify(value.func)
        if name is None:
            return None
        if name.startswith(TWINS):
            return name
        public = self.rw.catalog.public_name(name, "torch")
        if not public.startswith("torch.optim."):
            return None
        twin = self.rw.catalog.mirror(public, "mindspore")
        return twin if twin is not None and twin.startswith(TWINS) else None

    def keeps_torch_state(self, public: str, assigned: str | None) -> str | None:
        """Why a torch optimizer constructor goes to its twin (its state crosses a checkpoint), or None."""
        if self.rw.target != "mindspore" or assigned is None or not public.startswith("torch.optim."):
            return None
        self._facts()
        return CHOSEN if assigned in self.receivers else None

    def call(self, original: cst.Call, updated: cst.Call, optimizers) -> cst.Call | None:
        """``X.state_dict()`` / ``X.load_state_dict(sd)`` on an optimizer or scheduler ``X`` of this file: the
        call (converted on a twin, review otherwise), or None when ``X`` is not one."""
        func = original.func
        if self.rw.target != "mindspore" or not isinstance(func, cst.Attribute) or func.attr.value not in STATE_METHODS:
            return None
        receiver = func.value
        text = self.rw.code_of(receiver)
        if text not in optimizers:
            return None
        self._facts()
        values = self.rw.bindings.assigned_values(receiver) if isinstance(receiver, cst.Name) else None
        values = values or self.assigned.get(text, [])
        twins = [self._twin_of(v) for v in values]
        api = f".{func.attr.value}()"
        if twins and all(twins):
            self.rw.record(original, api, rpt.CONVERTED, f"{', '.join(sorted(set(twins)))}.{func.attr.value}",
                           WHY[func.attr.value])
            return updated
        self.rw.record(original, api, rpt.REVIEW, None,
                       f"`{text}` is an optimizer without msbridge's torch-layout twin: its state does not cross "
                       f"this way (see msbridge.bridge.optimizer_state)")
        return updated
