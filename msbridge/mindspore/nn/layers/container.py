"""``mindspore.nn.SequentialCell`` on torch: one list, one OrderedDict, one cell, or cells as arguments.

torch's ``Sequential`` rejects a list; the converter unpacks a list it can see (``[a, b]``, a name
bound only to lists) into native ``torch.nn.Sequential(*cells)``, and writes this twin where the
argument's shape is known only at run time. Children are named as MindSpore names them ("0",
"1", ... or the OrderedDict's keys), so parameter names match.
"""
from __future__ import annotations

from collections import OrderedDict

import torch


class SequentialCell(torch.nn.Sequential):
    """``torch.nn.Sequential`` that also takes one list of modules, as MindSpore's SequentialCell."""

    def __init__(self, *args):
        if len(args) == 1:
            cells = args[0]
            if isinstance(cells, list):
                args = tuple(cells)
            elif not isinstance(cells, (torch.nn.Module, OrderedDict)):
                raise TypeError(f"For 'SequentialCell', the 'args[0]' must be Cell, list or orderedDict, "
                                f"but got {type(cells).__name__}")
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            cells = args[0].values()
        else:
            cells = args
        for cell in cells:   # MindSpore's TypeError and message, not torch's "int is not a Module subclass"
            if cell is not None and not isinstance(cell, torch.nn.Module):
                raise TypeError("For 'insert_child_to_cell', the argument 'child_cell' must be 'Cell' if not None, "
                                f"but got type {type(cell)}.")
        super().__init__(*args)
