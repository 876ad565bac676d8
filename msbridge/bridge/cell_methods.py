"""MindSpore Cell/Tensor idiom methods on a receiver the converter cannot type (MindSpore -> torch).

``net.trainable_params()`` becomes ``net.parameters()`` where the converter knows ``net`` becomes a torch
Module (``convert.rules.methods``). Where it cannot tell (a function parameter such as
``def init_weight(net, cfg)``, an object from another module), the call comes here and is decided at run
time: a torch object gets the torch spelling with MindSpore's result shape, any other object (a MindSpore
one, a user's class) its own method. So the statement computes what MindSpore's did whichever the object
is. The torch spellings are the converter's renames (``rules.methods.METHOD_CALLS``/``WRAPPED``).
"""
from __future__ import annotations

import sys

from msbridge.bridge.layer_settings import torch_name


def _torch_object(x, kind: str) -> bool:
    torch = sys.modules.get("torch")   # never imported here: a MindSpore object needs no torch
    return torch is not None and isinstance(x, torch.nn.Module if kind == "module" else torch.Tensor)


def trainable_params(net, *args, **kwargs):
    """A list of the parameters that require gradients (MindSpore's list; torch's parameters() is a generator)."""
    if _torch_object(net, "module") and not args and not kwargs:
        return [p for p in net.parameters() if p.requires_grad]
    return net.trainable_params(*args, **kwargs)


def set_train(net, mode=True):
    """The network with its (and its children's) training mode set; returns it, as MindSpore's does."""
    if _torch_object(net, "module"):
        return net.train(mode)
    return net.set_train(mode)


def cells_and_names(net, *args, **kwargs):
    """(name, cell) pairs of the network and every sub-cell, the network itself first with name ''."""
    if _torch_object(net, "module") and not args and not kwargs:
        return net.named_modules()
    return net.cells_and_names(*args, **kwargs)


def cells(net):
    """The direct sub-cells as a list (MindSpore's view; torch's children() is a generator)."""
    if _torch_object(net, "module"):
        return list(net.children())
    return net.cells()


def name_cells(net):
    """name -> direct sub-cell (MindSpore's OrderedDict)."""
    if _torch_object(net, "module"):
        return dict(net.named_children())
    return net.name_cells()


def asnumpy(x):
    """A numpy copy of the tensor's values."""
    if _torch_object(x, "tensor"):
        return x.numpy(force=True)
    return x.asnumpy()


_NORM_PARAMS = {"gamma": "weight", "beta": "bias", "moving_mean": "running_mean", "moving_variance": "running_var"}


def norm_param(layer, name: str, *default):
    """MindSpore's name of a layer parameter read on the torch layer that names it otherwise: a normalization
    layer's gamma, beta, moving_mean, moving_variance on a torch BatchNorm/InstanceNorm/LayerNorm/GroupNorm as
    weight, bias, running_mean, running_var; an Embedding's embedding_table on a torch Embedding as weight
    (``msbridge.bridge.layer_names``); any other object's own attribute of that name (``getattr``'s default when
    given)."""
    torch = sys.modules.get("torch")
    if torch is None or hasattr(type(layer), name):
        return getattr(layer, name, *default)
    if name in _NORM_PARAMS and isinstance(layer, (torch.nn.modules.batchnorm._NormBase, torch.nn.LayerNorm,
                                                   torch.nn.GroupNorm)):
        return getattr(layer, _NORM_PARAMS[name])
    if name == "embedding_table" and isinstance(layer, torch.nn.Embedding):
        return layer.weight
    return getattr(layer, name, *default)


def _torch_param_name(layer, name: str) -> str:
    """The torch layer's own name for MindSpore's parameter ``name`` (``norm_param``'s choice), else ``name``."""
    torch = sys.modules.get("torch")
    if torch is None or hasattr(type(layer), name):
        return name
    if name in _NORM_PARAMS and isinstance(layer, (torch.nn.modules.batchnorm._NormBase, torch.nn.LayerNorm,
                                                   torch.nn.GroupNorm)):
        return _NORM_PARAMS[name]
    if name == "embedding_table" and isinstance(layer, torch.nn.Embedding):
        return "weight"
    return name


def assign_param(cell, name: str, value) -> None:
    """MindSpore's ``cell.weight = tensor``: a Cell given a (non-Parameter) Tensor for an attribute that holds a
    Parameter sets that Parameter's data (``Parameter.set_data``: same Parameter, its name kept, the value cast to
    its dtype; MindSpore 2.10's ``Cell._set_attr_for_object``), where torch's Module raises TypeError. On a torch
    Module the parameter (or buffer: MindSpore's moving_mean is a Parameter) named so, MindSpore's norm names
    included, gets the data the same way; anything else is a plain ``setattr``."""
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(cell, torch.nn.Module):
        setattr(cell, name, value)
        return
    own = _torch_param_name(cell, name)
    held = cell._parameters.get(own) if own in cell._parameters else cell._buffers.get(own)
    if held is not None and isinstance(value, torch.Tensor) and not isinstance(value, torch.nn.Parameter):
        from msbridge.bridge.tensor_methods import set_data
        set_data(held, value)
        return
    setattr(cell, own, value)


def has_norm_param(layer, name: str) -> bool:
    """``hasattr(layer, name)`` with MindSpore's parameter name: ``hasattr(cell, "gamma")`` is True on a torch
    BatchNorm (``weight``) as on MindSpore's."""
    try:
        norm_param(layer, name)
    except AttributeError:
        return False
    return True


def layer_setting(layer, name: str):
    """MindSpore's name of a layer's constructor setting read on the torch layer that names it otherwise: a Dense's
    in_channels/out_channels on a torch Linear as in_features/out_features, an Embedding's vocab_size/embedding_size
    as num_embeddings/embedding_dim (``msbridge.bridge.layer_settings``); any other object's own attribute."""
    torch = sys.modules.get("torch")
    if torch is None or hasattr(layer, name) or not isinstance(layer, torch.nn.Module):
        return getattr(layer, name)
    torch_classes = {c.__name__ for c in type(layer).__mro__ if c.__module__.startswith("torch.nn")}
    return getattr(layer, torch_name(torch_classes, name))
