"""Framework methods found by name rather than by import.

``net.trainable_params()`` has no import to resolve: the object is a user's
network. These renames are the idioms every ported script meets; each one is the
same operation on both sides, or is wrapped so its result has the source's shape
(``WRAPPED``): ``set_train(mode)``/``train(mode)`` take the same bool, torch's
``eval()`` is ``set_train(False)``, MindSpore's ``asnumpy()`` copies like torch's
``numpy(force=True)``; ``cells_and_names``/``named_modules`` yield the same (name,
cell) pairs (measured on nested containers), ``cells()`` is a view where
``children()`` is a generator. The all-parameter listings (``parameters_and_names``,
``get_parameters``, ``named_parameters``) are reported, not renamed: MindSpore counts
BatchNorm statistics as Parameters, torch keeps them as buffers.
They are applied only on a receiver known to be a converted Cell/Module, never to
a method the user's own class defines. ``construct``/``forward`` is renamed only
inside classes deriving from the source framework's module base class.
"""
from __future__ import annotations

import libcst as cst

# source method -> (target method, the target call's arguments or None to keep the user's)
METHOD_CALLS = {
    "torch": {"trainable_params": ("parameters", None), "set_train": ("train", None),
              "asnumpy": ("numpy", "force=True"),
              "cells_and_names": ("named_modules", None), "cells": ("children", None),
              "name_cells": ("named_children", None), "insert_child_to_cell": ("add_module", None)},
    "mindspore": {"parameters": ("trainable_params", None), "train": ("set_train", None),
                  "eval": ("set_train", "False"), "numpy": ("asnumpy", ""),
                  "named_modules": ("cells_and_names", None), "modules": ("cells_and_names", None),
                  "children": ("cells", None), "named_children": ("name_cells", None),
                  "add_module": ("insert_child_to_cell", None)},
}
# Cell <-> Module methods whose results differ in shape (measured, MindSpore 2.10 / torch 2.13): the renamed call
# is wrapped so the converted program gets what the original got. {} is the renamed call.
#   trainable_params(): a list of the parameters with requires_grad; parameters(): a generator of all of them;
#   cells(): an odict_values view; children(): a generator; name_cells(): an OrderedDict name -> cell;
#   named_children(): a generator of (name, module) pairs (both skip None and repeated children);
#   modules(): a generator of named_modules()' modules (cells_and_names gives the same cells in the same order,
#   measured on nested containers with a shared child: tests/convert/test_convert_layer_attr_names.py).
WRAPPED = {
    "torch": {"trainable_params": "[p for p in {} if p.requires_grad]", "cells": "list({})",
              "name_cells": "dict({})"},
    "mindspore": {"children": "iter({})", "named_children": "iter({}.items())",
                  "modules": "(cell for _, cell in {})"},
}
# renamed methods called on a receiver of unknown kind (a function's parameter): the call goes to a function that
# decides at run time (a torch object: the rename above; anything else: its own method). torch -> MindSpore's
# train()/eval() do the same through rules.module_mode.
DISPATCH_MODULE = {"torch": "msbridge.bridge.cell_methods"}
DISPATCHED = {"torch": frozenset({"trainable_params", "set_train", "cells_and_names", "cells", "name_cells",
                                  "asnumpy"}),
              "mindspore": frozenset()}
# ... except where a converted call (an optimizer) consumes the parameters: torch's optimizers skip parameters
# without a gradient, so the plain rename computes the same there.
NOT_WRAPPED_FOR_CONSUMER = {"torch": {"trainable_params"}, "mindspore": set()}
# renamed only when called without arguments: the arguments mean different things (name_prefix/expand vs
# prefix/recurse/remove_duplicate, cells/name_prefix vs memo/prefix)
NO_ARGUMENTS = frozenset({"parameters_and_names", "get_parameters", "cells_and_names", "named_parameters",
                          "named_modules", "modules", "parameters"})
# renamed only with positional arguments (child_name/child_cell vs name/module)
POSITIONAL_ONLY = frozenset({"insert_child_to_cell", "add_module"})
# methods of a known target object with no same-semantics counterpart: reported, never renamed.
# MindSpore keeps BatchNorm's moving_mean/moving_variance as Parameters (requires_grad=False); torch keeps running
# statistics as buffers, outside parameters()/named_parameters() (measured): the all-parameter listings differ.
_BUFFERS = ("MindSpore lists BatchNorm's moving_mean/moving_variance among its Parameters, torch keeps them as "
            "buffers: ")
NO_COUNTERPART = {
    "torch": {"to_float": "MindSpore's to_float(dst_type) casts the cell's inputs (and its sub-cells') to dst_type "
                          "while keeping float32 parameters; torch has no method that does this: cast inputs "
                          "by hand or use torch.autocast",
              "set_grad": "torch records gradients for every tensor that requires them: delete this call",
              "parameters_and_names": _BUFFERS + "write named_parameters() where the network has no BatchNorm, "
                                                 "add named_buffers() where it has",
              "get_parameters": _BUFFERS + "write parameters() where the network has no BatchNorm, add buffers() "
                                           "where it has",
              "parameters_dict": _BUFFERS + "write dict(net.named_parameters()) where the network has no BatchNorm, "
                                            "add dict(net.named_buffers()) where it has",
              # MindSpore Parameter/Tensor methods a torch tensor lacks (mindcv's weight init: corpus run check)
              "set_data": "MindSpore's Parameter.set_data(x) replaces the data; on a torch parameter write "
                          "`with torch.no_grad(): p.copy_(x)` (same shape) or `p.data = x`",
              "assign_value": "on a torch tensor write `with torch.no_grad(): t.copy_(x)`",
              "init_data": "torch parameters hold their data from construction: delete this call"},
    "mindspore": {"named_parameters": _BUFFERS + "parameters_and_names() also yields them; filter on "
                                                 "requires_grad or name where the network has BatchNorm",
                  # torch tensor methods a MindSpore 2.10 tensor lacks or computes otherwise
                  "size": "a MindSpore tensor's size is its element count (an int attribute), not torch's shape "
                          "method: write x.shape",
                  "detach": "MindSpore tensors have no detach(): write mindspore.ops.stop_gradient(x)",
                  # measured on MindSpore 2.10's CPU backend (tests/convert/test_convert_model_calls.py runs each):
                  # the method exists but has no CPU kernel, or is missing, or computes another estimator
                  **{m: f"MindSpore 2.10's Tensor.{m} fails on the CPU backend (no kernel; measured): on CPU write "
                        f"it without the method" for m in ("clone", "zero_", "fill_", "clamp_", "masked_fill_",
                                                           "sigmoid_", "repeat", "roll")},
                  "new_full": "MindSpore 2.10's Tensor.new_full runs on Ascend only (measured): write "
                              "mindspore.ops.full(size, value, dtype=x.dtype)",
                  "relu": "MindSpore tensors have no relu() method: write mindspore.ops.relu(x)",
                  "log_softmax": "MindSpore tensors have no log_softmax() method: write mindspore.ops.log_softmax(x, dim)",
                  "std": "MindSpore's Tensor.std defaults to the biased estimator, torch's to the unbiased one "
                         "(measured): pass the correction explicitly on both sides",
                  "var": "MindSpore's Tensor.var defaults to the biased estimator, torch's to the unbiased one "
                         "and it takes no dim=/unbiased= (measured): write mindspore.ops.var(x, axis, ddof=1)"},
}
# torch tensor methods that fail or differ on a MindSpore 2.10 tensor (NO_COUNTERPART above, to MindSpore)
_TORCH_TENSOR_ONLY = frozenset({"size", "detach", "clone", "zero_", "fill_", "clamp_", "masked_fill_", "sigmoid_",
                                "repeat", "roll", "new_full", "relu", "log_softmax", "std", "var"})
# of those, methods only a source-framework tensor has: marked also on a receiver not known to be anything (a
# loop variable over converted cells: `cell.weight.set_data(...)`), never left to fail unflagged
SOURCE_TENSOR_ONLY = {"torch": frozenset({"set_data", "assign_value", "init_data"}), "mindspore": _TORCH_TENSOR_ONLY}
# of NO_COUNTERPART["torch"], the Cell methods (the others are tensor methods: SOURCE_TENSOR_ONLY covers them)
CELL_ONLY_NO_COUNTERPART = frozenset({"to_float", "set_grad", "parameters_and_names", "get_parameters",
                                      "parameters_dict"})
MODULE_BASE = {"torch": "mindspore.nn.Cell", "mindspore": "torch.nn.Module"}
# target -> methods of the SOURCE module base that the target base lacks (measured: in dir() of one class and not
# the other, MindSpore 2.10 / torch 2.13; tests/convert/test_convert_bindings.py checks them against both).
# `self.<one of these>()` in a class whose base was converted would fail: it is marked, never left silently.
BASE_ONLY_METHODS = {
    "torch": frozenset({
        "add_flags", "cells", "cells_and_names", "get_flags", "get_parameters", "init_parameters_data",
        "insert_child_to_cell", "insert_param_to_cell", "name_cells", "parameters_and_names",
        "parameters_broadcast_dict", "parameters_dict", "recompute", "set_boost", "set_comm_fusion",
        "set_data_parallel", "set_grad", "shard", "to_float", "untrainable_params", "update_parameters_name"}),
    "mindspore": frozenset({
        "add_module", "bfloat16", "children", "cpu", "cuda", "double", "get_parameter", "get_submodule", "half",
        "modules", "named_children", "named_modules", "named_parameters", "register_module", "register_parameter",
        "requires_grad_", "share_memory", "zero_grad"}),
}
# of those, the names the TARGET framework's tensor has too (measured): on a receiver of unknown kind they may be
# a tensor's, which works (``x.half()`` on a MindSpore tensor), so they are not marked there
TARGET_TENSOR_HAS = {"torch": frozenset(), "mindspore": frozenset({"bfloat16", "double", "half", "requires_grad_"})}
FORWARD = {"torch": ("construct", "forward"), "mindspore": ("forward", "construct")}


def method_rename(attr: str, target: str) -> tuple[str, str | None] | None:
    """(new method name, new argument text or None to keep the call's) for a framework idiom."""
    return METHOD_CALLS[target].get(attr)


def argument_problem(attr: str, call: cst.Call) -> str | None:
    """Why the call's arguments cannot be carried over by a rename (None: they can)."""
    if attr in NO_ARGUMENTS and call.args and attr not in ("parameters",):
        return "its arguments mean different things on the two sides: port them by hand"
    if attr == "parameters" and call.args:
        return "recurse= has no MindSpore counterpart: port it by hand"
    if attr in POSITIONAL_ONLY and any(a.keyword is not None for a in call.args):
        return "the argument names differ: pass them by position"
    return None


def rename_for(attr: str, target: str) -> tuple[str, str | None] | None:
    """(new name, new argument text) for ``attr``."""
    return METHOD_CALLS[target].get(attr)


def wrap(attr: str, target: str, renamed: cst.Call, consumed_by_target: bool, code_of) -> cst.BaseExpression:
    """The renamed call wrapped so its result has the source method's shape (WRAPPED)."""
    template = WRAPPED[target].get(attr)
    if template is None or (consumed_by_target and attr in NOT_WRAPPED_FOR_CONSUMER[target]):
        return renamed
    return cst.parse_expression(template.format(code_of(renamed)))


def source_tensor_only(attr: str, target: str) -> bool:
    return attr in SOURCE_TENSOR_ONLY[target]


def no_counterpart(attr: str, target: str) -> str | None:
    return NO_COUNTERPART[target].get(attr)


def base_only(attr: str, target: str) -> bool:
    """Whether ``attr`` is a method of the source framework's module base that the target's lacks."""
    return attr in BASE_ONLY_METHODS[target]


def forward_rename(target: str) -> tuple[str, str]:
    """(source method name, target method name) of the forward pass."""
    return FORWARD[target]


def module_base(target: str) -> str:
    """Qualified name of the source framework's module base class."""
    return MODULE_BASE[target]


def idiom_attributes(target: str) -> frozenset[str]:
    """Attribute names that make a statement worth visiting even without a framework name in it."""
    from msbridge.convert.rules.tensor_methods import twin_methods

    from msbridge.convert.rules.layer_attrs import STATIC as LAYER_ATTRS
    from msbridge.convert.rules.norm_params import NAMES as NORM_PARAMS

    names = set(METHOD_CALLS[target]) | set(NO_COUNTERPART[target]) | {FORWARD[target][0]} | twin_methods(target)
    if target == "torch":
        names |= NORM_PARAMS   # `cell.gamma` in a weight-init loop (rules.norm_params)
    names |= LAYER_ATTRS[target]   # `m.weight.data` in a weight-init function (rules.layer_attrs)
    if target == "mindspore":
        names |= {"zero_grad", "backward", "step", "param_groups", "grad",   # rules.train_step marks leftovers
                  "load_state_dict", "state_dict",                             # rules.checkpoint, rules.module_mode
                  "to", "cuda", "cpu"}                                         # rules.devices
    return frozenset(names)
