"""Calls through a name bound to a source class whose arguments differ in the target (``norm_layer``).

``def __init__(self, dim, norm_layer=nn.BatchNorm1d): self.norm = norm_layer(dim, momentum=0.5)``:
the reference becomes ``torch.nn.BatchNorm1d`` (marked ``review``: its calls must use torch's argument
names), but the call that then fails (MindSpore's momentum is torch's 1 - momentum) is another line.
Where msbridge has a twin taking MindSpore's arguments (``nn.LayerNorm``, ``nn.GELU``, ``nn.BatchNorm2d``,
``nn.Conv2d``, ``nn.Dense``) the reference becomes the twin instead (Rewriter._reference) and nothing
here is marked. The value
may be anything at run time (a ``partial``, another class), so the call cannot be translated; it is
marked ``review`` where it is, naming the class it may hold. Names are a function's parameters
(whose default is the reference) and names or ``self.<attr>`` assigned the reference.
"""
from __future__ import annotations

import libcst as cst


class ClassValues:
    """Per Rewriter: names bound to a class reference the converter marked, and the calls through them."""

    def __init__(self, rewriter):
        self.rw = rewriter
        self.defaults: dict[int, str] = {}                    # id(parameter default) -> parameter name
        self.scopes: list[dict[str, str]] = [{}]              # per function: name -> the class it may hold
        self.attributes: dict[str, str] = {}                  # "self.norm" -> the class it may hold

    def enter_function(self, node: cst.FunctionDef) -> None:
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.default is not None:
                self.defaults[id(param.default)] = param.name.value
        self.scopes.append({})

    def leave_function(self) -> None:
        if len(self.scopes) > 1:
            self.scopes.pop()

    def bound(self, reference: cst.BaseExpression, native: str) -> None:
        """``reference`` (now ``native``) was marked: remember the name it is bound to, if any
        (MindSpore -> torch only: to MindSpore such a reference becomes msbridge's twin, which takes torch's
        argument names; see Rewriter._reference)."""
        if self.rw.target != "torch":
            return
        name = self.defaults.get(id(reference))
        if name is not None:
            self.scopes[-1][name] = native
            return
        target = self.rw.assign_of.get(id(reference))
        if target is None:
            return
        if target.startswith("self.") and target.count(".") == 1:
            self.attributes[target] = native
        elif target.isidentifier():
            self.scopes[-1][target] = native

    def problem(self, call: cst.Call) -> str | None:
        """Why a call through such a name may fail, or None."""
        func = call.func
        text = None
        if isinstance(func, cst.Name):
            text = func.value
            native = next((scope[text] for scope in reversed(self.scopes) if text in scope), None)
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
            text = f"self.{func.attr.value}"
            native = self.attributes.get(text)
        else:
            return None
        if native is None:   # no arguments still differ where a default does (GELU's approximate)
            return None
        return (f"`{text}` may hold {native} (converted from a MindSpore class used as a value): this call's "
                f"arguments must be {native}'s (see `msbridge explain`), or pass a class that takes them")
