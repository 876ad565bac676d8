"""A layer parameter named as a string: ``hasattr(m, "weight")``, ``getattr(m, "weight", None)``.

Weight-init loops test for a parameter before initialising it (torchvision's shape: ``for m in self.modules():
... elif hasattr(m, "weight") and m.weight is not None: nn.init.normal_(m.weight, 0, 0.01)``). MindSpore's
normalization, Embedding and PReLU layers name it otherwise (``gamma``, ``embedding_table``, ``w``:
``msbridge.bridge.layer_names``), so the converted test was False on a LayerNorm and the layer silently kept its
default initialisation, while ``m.weight`` itself went to the run-time ``param`` (``rules.layer_attrs``). The
string form goes to the same run-time choice: ``has_param``/``param`` on MindSpore, ``has_norm_param``/
``norm_param`` on torch (MindSpore's names read on a torch layer).

Left as written: another name, a name that is not a string literal, ``self``/``cls`` (a class's own attribute),
an object known not to be a framework one, a shadowed ``hasattr``/``getattr``.
"""
from __future__ import annotations

import ast

import libcst as cst

from msbridge.convert import report as rpt
from msbridge.convert.bindings import OTHER, SOURCE
from msbridge.convert.rules.layer_attrs import NAMES as TORCH_NAMES
from msbridge.convert.rules.norm_params import NAMES as NORM_NAMES

# target -> the source framework's parameter names another layer of the target names otherwise
NAMES = {"mindspore": TORCH_NAMES["mindspore"], "torch": NORM_NAMES | {"embedding_table"}}
TWINS = {"mindspore": {"hasattr": "msbridge.torch.layer_params.has_param",
                       "getattr": "msbridge.torch.layer_params.param"},
         "torch": {"hasattr": "msbridge.bridge.cell_methods.has_norm_param",
                   "getattr": "msbridge.bridge.cell_methods.norm_param"}}
ARITY = {"hasattr": (2,), "getattr": (2, 3)}
WHY = {"mindspore": "MindSpore's normalization/Embedding/PReLU layers name this parameter otherwise (gamma, beta, "
                    "moving_mean, moving_variance, embedding_table, w): {twin} looks it up by MindSpore's name on "
                    "such a layer (decided at run time), the object's own attribute otherwise",
       "torch": "torch's normalization/Embedding layers name this parameter otherwise (weight, bias, running_mean, "
                "running_var): {twin} looks it up by torch's name on such a layer (decided at run time), the "
                "object's own attribute otherwise"}


def call(rw, original: cst.Call, updated: cst.Call) -> cst.Call | None:
    """The call sent to the run-time twin, or None (not a layer parameter named as a string)."""
    func = original.func
    if not (isinstance(func, cst.Name) and func.value in ARITY and func.value not in rw.needs.bound
            and len(original.args) in ARITY[func.value]
            and all(a.keyword is None and not a.star for a in original.args)):
        return None
    name = original.args[1].value
    if not isinstance(name, cst.SimpleString) or name.prefix.lower() not in ("", "u"):
        return None
    attr = ast.literal_eval(name.value)
    receiver = original.args[0].value
    if attr not in NAMES[rw.target] or rw.bindings is None \
            or (isinstance(receiver, cst.Name) and receiver.value in ("self", "cls")) \
            or rw.imports.resolve(receiver) is not None or rw.bindings.kind(receiver) in (OTHER, SOURCE):
        return None
    twin = TWINS[rw.target][func.value]
    rw.record(original, f'{func.value}(..., "{attr}")', rpt.CONVERTED, twin,
              WHY[rw.target].format(twin=twin))
    return updated.with_changes(func=rw.needs.reference(twin))
