"""Framework methods found by name rather than by import.

``net.trainable_params()`` has no import to resolve: the object is a user's
network. These few renames are the idioms every ported script meets; each one
is the same operation on both sides (both ``set_train(mode)`` and
``train(mode)`` take the same bool; torch's ``eval()`` is ``set_train(False)``;
MindSpore's ``asnumpy()`` copies like torch's ``numpy(force=True)``, which also
works on tensors that require grad). ``construct``/``forward`` is renamed only
inside classes deriving from the source framework's module base class.
"""
from __future__ import annotations

# source method -> (target method, the target call's arguments or None to keep the user's)
METHOD_CALLS = {
    "torch": {"trainable_params": ("parameters", None), "set_train": ("train", None),
              "asnumpy": ("numpy", "force=True")},
    "mindspore": {"parameters": ("trainable_params", None), "train": ("set_train", None),
                  "eval": ("set_train", "False"), "numpy": ("asnumpy", "")},
}
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
FORWARD = {"torch": ("construct", "forward"), "mindspore": ("forward", "construct")}


def method_rename(attr: str, target: str) -> tuple[str, str | None] | None:
    """(new method name, new argument text or None to keep the call's) for a framework idiom."""
    return METHOD_CALLS[target].get(attr)


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
    names = set(METHOD_CALLS[target]) | {FORWARD[target][0]}
    if target == "mindspore":
        names |= {"zero_grad", "backward", "step", "param_groups", "grad",   # rules.train_step marks leftovers
                  "load_state_dict",                                           # rules.checkpoint
                  "to", "cuda", "cpu"}                                         # rules.devices
    return frozenset(names)
