"""A source-framework module used as a value: ``hasattr(torch.nn.functional, 'scaled_dot_product_attention')``,
``getattr(nn, act_name)``, ``F = torch.nn.functional``.

The converter rewrites ``nn.X`` where it sees ``X``; a module handed to ``getattr``/``hasattr`` or stored in a
name has its attributes looked up at run time, out of its sight. nanoGPT's ``self.flash = hasattr(
torch.nn.functional, ...)`` stayed torch, unreported, in a file whose other uses were all converted: the
file still imported torch and failed without it. Such a use is ``review`` where it is.
"""
from __future__ import annotations

FRAMEWORK_NAMES = {"torch": "torch", "mindspore": "MindSpore"}
WHY = ("the module {name} is used as a value: the attributes read from it at run time (getattr/hasattr, or "
       "through the name it is stored in) are not converted, and it keeps the file importing {framework}: "
       "use the {target} module or API it stands for")


def problem(rw, name: str) -> str | None:
    """Why the reference to module ``name`` (not followed by an attribute) cannot be converted, or None."""
    if not rw.is_source(name):
        return None
    return WHY.format(name=name, framework=FRAMEWORK_NAMES[rw.source], target=FRAMEWORK_NAMES[rw.target])
