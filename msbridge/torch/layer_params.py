"""torch's name of a layer parameter read on a MindSpore layer, decided at run time (torch -> MindSpore).

Weight-init functions read parameters on layers they receive (PyTorch-GAN's ``weights_init_normal(m)``:
``if classname.find("BatchNorm2d") != -1: torch.nn.init.normal_(m.weight.data, 1.0, 0.02)``). MindSpore's
BatchNorm calls that parameter ``gamma``, its Embedding ``embedding_table`` (``msbridge.bridge.layer_names``), so
``m.weight`` raised AttributeError where the converter could not tell ``m``'s class. ``param(m, "weight")`` reads
MindSpore's counterpart on such a layer and the object's own attribute otherwise (a Dense's ``weight``, a user's
Cell with a ``weight`` of its own), so the statement reads what torch read whichever the object is.
"""
from __future__ import annotations

from msbridge.bridge.layer_names import TORCH_TO_MINDSPORE


def counterpart(layer, name: str) -> str:
    """The attribute of ``layer`` that holds what torch calls ``name``: MindSpore's name on a MindSpore layer of
    the table that lacks ``name``, else ``name``."""
    if hasattr(layer, name):
        return name
    for cls in type(layer).__mro__:
        if cls.__module__.split(".", 1)[0] == "mindspore" and cls.__name__ in TORCH_TO_MINDSPORE:
            return TORCH_TO_MINDSPORE[cls.__name__].get(name, name)
    return name


def param(layer, name: str, *default):
    """``layer.<name>`` with torch's parameter name ``name`` (``weight``, ``bias``, ``running_mean``...);
    ``getattr(layer, name, default)``'s default when given."""
    return getattr(layer, counterpart(layer, name), *default)


def has_param(layer, name: str) -> bool:
    """``hasattr(layer, name)`` with torch's parameter name: a weight-init loop's ``hasattr(m, "weight")`` is True
    on a MindSpore LayerNorm (``gamma``) as on torch's."""
    return hasattr(layer, counterpart(layer, name))
