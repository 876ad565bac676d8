"""Wrapper prefixes in checkpoint names: ``module.`` (torch DataParallel/DDP), ``network.``/``_backbone.``
(a MindSpore cell that holds the network as a child, e.g. a hand-written WithLossCell), ``net.``/``model.``.

A wrapper puts the same first name component in front of every parameter. Stripping it is safe
only when nothing else could explain it, so without a target model only the names the frameworks'
own wrappers use are stripped on their own (``module.`` from torch, ``network.``/``_backbone.``
from MindSpore); ``net.``/``model.`` are common attribute names of real models and are only
reported. With a target model the prefix is stripped or added when that makes the names fit it.
"""
from __future__ import annotations

from dataclasses import dataclass

from msbridge.bridge.checkpoint_tensor import CheckpointError

WRAPPER_PREFIXES = ("module.", "network.", "_backbone.", "net.", "model.")
AUTOMATIC = {"torch": ("module.",), "mindspore": ("network.", "_backbone.", "module.")}


@dataclass(frozen=True)
class PrefixChange:
    """Strip ``strip`` then add ``add`` to every weight name; ``how`` says why, for the summary."""
    strip: str = ""
    add: str = ""
    how: str = ""

    def rename(self, name: str) -> str:
        if self.strip:
            name = name[len(self.strip):]
        return self.add + name

    def __bool__(self) -> bool:
        return bool(self.strip or self.add)


def _normal(prefix: str) -> str:
    prefix = prefix.strip()
    if not prefix or prefix.strip(".") == "":
        raise CheckpointError(f"prefix {prefix!r}: give a name such as 'module.'")
    return prefix if prefix.endswith(".") else prefix + "."


def shared_wrapper(names) -> str:
    """The wrapper prefix (repeated ones joined, 'module.module.') every name starts with, or ''."""
    names, found = list(names), ""
    while names:
        prefix = next((p for p in WRAPPER_PREFIXES if all(n.startswith(found + p) for n in names)), None)
        if prefix is None or any(n == found + prefix for n in names):
            break
        found += prefix
    return found


def _auto_strip(names, source: str) -> str:
    shared, found = shared_wrapper(names), ""
    while shared:
        prefix = next((p for p in AUTOMATIC[source] if shared.startswith(p)), None)
        if prefix is None:
            break
        found, shared = found + prefix, shared[len(prefix):]
    return found


def choose(names, source: str, *, strip: str | None = None, add: str | None = None,
           target_names=None) -> PrefixChange:
    """The prefix change for a checkpoint's weight ``names`` written by ``source``.

    ``strip``/``add`` are the user's (``--strip-prefix``/``--add-prefix``); every name must carry a
    prefix that is to be stripped. ``target_names`` are the target model's names, if there is one."""
    names = list(names)
    if strip is not None or add is not None:
        strip, add = _normal(strip) if strip is not None else "", _normal(add) if add is not None else ""
        lacking = [n for n in names if not n.startswith(strip)]
        if lacking:
            raise CheckpointError(f"--strip-prefix {strip!r}: {len(lacking)} name(s) do not start with it "
                                  f"({', '.join(lacking[:4])})")
        return PrefixChange(strip, add, "as asked")
    if target_names is not None:
        ours, theirs = shared_wrapper(names), shared_wrapper(target_names)
        if ours == theirs:
            return PrefixChange()
        return PrefixChange(ours, theirs, "to fit the model")
    found = _auto_strip(names, source)
    return PrefixChange(found, "", "a wrapper's") if found else PrefixChange()


def hint(names) -> str | None:
    """A note when every name carries a wrapper-like prefix that was not stripped."""
    shared = shared_wrapper(names)
    if shared:
        return f"every name starts with {shared!r} (a wrapper's?): --strip-prefix {shared} removes it"
    return None
