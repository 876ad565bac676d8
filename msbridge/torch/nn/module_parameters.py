"""torch's ``module.parameters()`` on a MindSpore Cell: every parameter, frozen ones too, not the statistics.

The converter writes ``net.trainable_params()`` where an optimizer takes the list (torch's optimizers skip a
parameter without a gradient, so the two train alike). Anywhere else the difference shows: a fine-tuning
script freezes with ``for p in net.parameters(): p.requires_grad = False`` and later unfreezes the same way,
but ``trainable_params()`` is empty by then, so nothing was unfrozen; parameter counts missed frozen ones.
MindSpore's ``get_parameters()`` yields them all, and also BatchNorm's ``moving_mean``/``moving_variance``,
which torch keeps as buffers outside ``parameters()`` (measured on MindSpore 2.10 / torch 2.13): this leaves
those out, in MindSpore's order (a BatchNorm's gamma, beta as torch's weight, bias).
"""
from __future__ import annotations

from msbridge.bridge.layer_names import MINDSPORE_TO_TORCH

STATISTICS = ("moving_mean", "moving_variance")   # a norm cell's running statistics: torch's buffers


def module_parameters(module, recurse=True):
    """A generator over the Cell's parameters as torch's ``parameters()`` lists them; any other object's own
    ``parameters()``."""
    from mindspore import nn

    if not isinstance(module, nn.Cell) or hasattr(type(module), "parameters"):
        return module.parameters(recurse)
    cells = [cell for _, cell in module.cells_and_names()] if recurse else [module]
    statistics = {id(getattr(cell, name)) for cell in cells for name in STATISTICS
                  if getattr(cell, name, None) is not None}
    return (p for p in module.get_parameters(expand=recurse) if id(p) not in statistics)


def _torch_leaf_names(cell) -> dict[str, str]:
    """MindSpore's names of a built-in layer's state that torch names otherwise (``msbridge.bridge.layer_names``, the
    table the converter and ``layer_params`` share); empty for any other cell (a user's own ``self.gamma`` keeps
    its name)."""
    for cls in type(cell).__mro__:
        if cls.__module__.split(".", 1)[0] == "mindspore" and cls.__name__ in MINDSPORE_TO_TORCH:
            return MINDSPORE_TO_TORCH[cls.__name__]
    return {}


def named_parameters(module, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
    """A generator of (name, parameter) as torch's ``named_parameters()`` gives them, on a MindSpore Cell.

    A ported training script filters on these names (``'bias' in name`` for the weight-decay groups, ``'bn' in
    name`` for freezing): a built-in layer's parameters take torch's names (BatchNorm's gamma/beta are
    weight/bias, an Embedding's table is weight), its running statistics (torch's buffers) are left out, and a
    BatchNorm3d's inner ``bn2d`` cell does not show. Parameters of the file's own cells keep their names. A
    BatchNorm built with ``affine=False`` still lists gamma/beta (MindSpore keeps them, frozen: torch has none).
    Any other object's own ``named_parameters()``."""
    from mindspore import nn

    if not isinstance(module, nn.Cell) or hasattr(type(module), "named_parameters"):
        return module.named_parameters(prefix=prefix, recurse=recurse, remove_duplicate=remove_duplicate)
    return _named(module, prefix, recurse, remove_duplicate)


def _named(module, prefix, recurse, remove_duplicate):
    from mindspore import nn

    seen, merged = set(), {}   # merged: a BatchNorm3d's inner bn2d cell's name -> the BatchNorm3d's
    cells = module.cells_and_names() if recurse else [("", module)]
    for cell_name, cell in cells:
        if isinstance(cell, nn.BatchNorm3d):
            merged[f"{cell_name}.bn2d" if cell_name else "bn2d"] = cell_name
        renames = _torch_leaf_names(cell)
        for leaf, param in cell.parameters_and_names(expand=False):
            if renames and leaf in STATISTICS or (remove_duplicate and id(param) in seen):
                continue
            seen.add(id(param))
            yield ".".join(part for part in (prefix, merged.get(cell_name, cell_name), renames.get(leaf, leaf))
                           if part), param
