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
