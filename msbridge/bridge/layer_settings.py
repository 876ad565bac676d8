"""A layer's constructor settings kept as attributes, where torch and MindSpore name them otherwise (measured:
torch 2.13, MindSpore 2.10, equal values).

Fine-tuning code reads them to rebuild a head: ``net.fc = nn.Dense(net.fc.in_channels, 5)``. torch's Linear calls
that ``in_features``, so the line left as written raised AttributeError. ``convert.rules.layer_attrs`` renames the
read on a layer it knows; ``msbridge.bridge.cell_methods.layer_setting`` decides at run time on one it cannot type.
Imports no framework.
"""
from __future__ import annotations

# MindSpore class -> (torch class, {MindSpore name: torch name})
MINDSPORE_TO_TORCH: dict[str, tuple[str, dict[str, str]]] = {
    "Dense": ("Linear", {"in_channels": "in_features", "out_channels": "out_features"}),
    "Embedding": ("Embedding", {"vocab_size": "num_embeddings", "embedding_size": "embedding_dim"}),
}
TORCH_TO_MINDSPORE: dict[str, tuple[str, dict[str, str]]] = {
    pt: (ms, {t: m for m, t in names.items()}) for ms, (pt, names) in MINDSPORE_TO_TORCH.items()}
NAMES = {"torch": frozenset(n for _, names in MINDSPORE_TO_TORCH.values() for n in names),
         "mindspore": frozenset(n for _, names in TORCH_TO_MINDSPORE.values() for n in names)}


def renamed(layer_class: str, name: str, target: str) -> str | None:
    """``name`` (the source's) as ``target``'s class ``layer_class`` (``torch.nn.Linear``) calls it, or None."""
    prefix = f"{target}.nn."
    if not layer_class.startswith(prefix):
        return None
    table = MINDSPORE_TO_TORCH if target == "torch" else TORCH_TO_MINDSPORE
    for cls, names in table.values():
        if cls == layer_class[len(prefix):]:
            return names.get(name)
    return None


def torch_name(layer_class_names, name: str) -> str:
    """torch's name of MindSpore's setting ``name`` on a torch layer whose class (or a base) is one of
    ``layer_class_names``, else ``name``."""
    for ms_class, (torch_class, names) in MINDSPORE_TO_TORCH.items():
        if torch_class in layer_class_names and name in names:
            return names[name]
    return name
