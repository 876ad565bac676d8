"""A MindSpore layer's ``weight_init=`` applied to the torch layer a converted program builds.

Imported by converted programs (``msbridge.convert.rules.layer_init`` writes the calls); it imports
torch only. Lives outside ``msbridge.mindspore`` because MindSpore has no such function: a twin
path would be turned back into a (nonexistent) MindSpore name when the program is converted back.
"""
from __future__ import annotations

import torch

from msbridge.mindspore.common.initializer import initializer


def initialize_(tensor: torch.Tensor | None, init, padding_idx=None) -> torch.Tensor | None:
    """Fill an existing parameter in place as a MindSpore layer's ``weight_init=init`` would have.

    msbridge's converter writes this after a torch layer built from a MindSpore layer call that set
    ``weight_init``/``bias_init``/``gamma_init``/...; a parameter the layer does not have (a bias
    switched off) is None and left alone. ``padding_idx``: an Embedding's padding row, zero after
    initialisation in both frameworks.
    """
    if tensor is None:
        return None
    with torch.no_grad():
        tensor.copy_(initializer(init, tuple(tensor.shape), tensor.dtype))
        if padding_idx is not None:
            tensor[padding_idx].fill_(0)
    return tensor


def initialized(layer: torch.nn.Module, padding_idx=None, **inits) -> torch.nn.Module:
    """``layer`` with MindSpore's ``weight_init=``/``bias_init=``/... applied, by torch's parameter names.

    For a layer call not assigned to a name (``return nn.Conv2d(..., weight_init=w)`` in the model zoo's
    ``_conv3x3`` helpers, a layer inside a ``SequentialCell([...])``), where there is no name to initialise after
    construction: the converter wraps the call in this function instead.
    """
    for name, init in inits.items():
        initialize_(getattr(layer, name), init, padding_idx if name == "weight" else None)
    return layer
