"""A MindSpore layer's ``weight_init=``/``bias_init=``/``gamma_init=``/... and default inits that differ.

torch layers take no initializer arguments: the torch layer is built with torch's defaults and the
original's initialisation is applied right after construction, on the assigned name
(``self.conv = torch.nn.Conv1d(...)`` then ``initialize_(self.conv.bias, 'normal')``), through
``msbridge.bridge.layer_init`` with MindSpore's distributions drawn on torch
(``msbridge.mindspore.common.initializer``, tested against MindSpore). Where a layer's DEFAULT initialisation draws another distribution in the target
(MindSpore's Embedding table N(0, 0.01^2), torch's N(0, 1); measured), the source's default is
applied the same way in both directions. A layer call not assigned to a name (returned by a helper, an item of a
``SequentialCell([...])``) is wrapped instead: ``initialized(torch.nn.Conv2d(...), weight=w)`` applies the same
inits and returns the layer.
"""
from __future__ import annotations

import ast

import libcst as cst

from msbridge.tables import ApiRow

INITIALIZE = "msbridge.bridge.layer_init.initialize_"
INITIALIZED = "msbridge.bridge.layer_init.initialized"
# MindSpore init argument -> the MindSpore parameter it initialises (then the row's params map gives torch's name)
INIT_ARGS = {"weight_init": "weight", "bias_init": "bias", "gamma_init": "gamma", "beta_init": "beta",
             "moving_mean_init": "moving_mean", "moving_var_init": "moving_variance",
             "embedding_table": "embedding_table"}
# rows whose default initialisation differs between the frameworks: the MindSpore init argument, and the
# MindSpore initializer drawing torch's default (written into the MindSpore call)
DEFAULT_DIFFERS = {"nn.Embedding": ("embedding_table", "mindspore.common.initializer.Normal", "1.0")}


def _torch_param(row: ApiRow, ms_param: str) -> str | None:
    for entry in row.params or ():
        if getattr(entry, "mindspore", None) == ms_param:
            return getattr(entry, "torch", None)
    return None


def _is_default(text: str, default) -> bool:
    try:
        return ast.literal_eval(text) == default
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False


def target_args(rewriter, row: ApiRow) -> list[tuple[str, str]]:
    """(name, text) arguments to add to the MindSpore call so it draws torch's default initialisation."""
    if rewriter.source != "torch" or row.id not in DEFAULT_DIFFERS:
        return []
    name, initializer, args = DEFAULT_DIFFERS[row.id]
    return [(name, f"{rewriter.code_of(rewriter.needs.reference(initializer))}({args})")]


def plan(rewriter, row: ApiRow, call: cst.Call, assigned: str | None) -> tuple[cst.Call, list[str], str | None]:
    """MindSpore -> torch: the call without the init keywords, the statements applying them after it (the call
    assigned to ``assigned``), or else the text of the wrapping call with ``{}`` for the converted layer call."""
    if row.category != "layer" or rewriter.source != "mindspore":
        return call, [], None
    kept, statements, given = [], [], set()
    ref = row.side("mindspore")
    for arg in call.args:
        name = arg.keyword.value if arg.keyword is not None else None
        param = INIT_ARGS.get(name) if name is not None else None
        target = _torch_param(row, param) if param is not None else None
        if target is None:
            kept.append(arg)
            continue
        given.add(name)
        text = rewriter.code_of(arg.value)
        default = ref.param(name).default if ref.param(name) is not None else None
        if _is_default(text, default) and row.id not in DEFAULT_DIFFERS:
            continue   # MindSpore's default: torch's layer draws the same distribution (measured)
        statements.append((target, text))
    name = DEFAULT_DIFFERS.get(row.id, (None,))[0]
    if name is not None and name not in given:
        statements.append((_torch_param(row, INIT_ARGS[name]), repr(ref.param(name).default)))
    if not statements:
        return call, [], None
    if len(kept) != len(call.args) and kept:
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    padding = next((rewriter.code_of(a.value) for a in call.args
                    if a.keyword is not None and a.keyword.value == "padding_idx"), None)
    extra = f", padding_idx={padding}" if padding is not None and row.id in DEFAULT_DIFFERS else ""
    if assigned is None:
        function = rewriter.code_of(rewriter.needs.reference(INITIALIZED))
        inits = ", ".join(f"{target}={text}" for target, text in statements)
        return call.with_changes(args=kept), [], f"{function}({{}}, {inits}{extra})"
    function = rewriter.code_of(rewriter.needs.reference(INITIALIZE))
    lines = [f"{function}({assigned}.{target}, {text}{extra})" for target, text in statements]
    return call.with_changes(args=kept), lines, None
