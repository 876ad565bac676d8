"""Optimizer construction arguments across the frameworks, by the mapping tables.

``optimizer_kwargs_to_torch("mindspore.nn.Adam", {"learning_rate": 0.01, "beta1": 0.8})``
gives the torch class and keyword arguments (``betas=(0.8, 0.999)``, ``lr=0.01``), writing
out every argument whose default differs; arguments the counterpart cannot express raise
``UnsupportedArgument`` with what to do instead. ``optimizer_to_torch`` / ``optimizer_to_mindspore``
also construct the counterpart on the given parameters.
"""
from __future__ import annotations

from msbridge.bridge.real_api import resolve
from msbridge.tables import load_tables
from msbridge.tables.translate import Translation, translate_call

__all__ = ["optimizer_kwargs_to_torch", "optimizer_kwargs_to_mindspore", "optimizer_to_torch",
           "optimizer_to_mindspore"]


def _is_optimizer_row(row) -> bool:
    return row.mindspore.param("params") is not None


def optimizer_kwargs_to_torch(api: str, kwargs: dict | None = None, args: tuple = ()) -> Translation:
    """Translate MindSpore optimizer arguments (without ``params``): ``.api`` is the torch class,
    ``.kwargs`` its keyword arguments, ``.dropped`` the arguments left out and why."""
    return translate_call(load_tables(), api, "to_torch", tuple(args), kwargs or {}, accept=_is_optimizer_row)


def optimizer_kwargs_to_mindspore(api: str, kwargs: dict | None = None, args: tuple = ()) -> Translation:
    """Translate torch optimizer arguments (without ``params``) to the MindSpore optimizer."""
    return translate_call(load_tables(), api, "to_mindspore", tuple(args), kwargs or {}, accept=_is_optimizer_row)


def optimizer_to_torch(api: str, params, kwargs: dict | None = None):
    """Construct the torch counterpart of a MindSpore optimizer call on torch ``params``."""
    translation = optimizer_kwargs_to_torch(api, kwargs)
    return resolve(translation.api)(params, **translation.kwargs)


def optimizer_to_mindspore(api: str, params, kwargs: dict | None = None):
    """Construct the real MindSpore counterpart of a torch optimizer call on MindSpore ``params``."""
    translation = optimizer_kwargs_to_mindspore(api, kwargs)
    return resolve(translation.api)(params, **translation.kwargs)
