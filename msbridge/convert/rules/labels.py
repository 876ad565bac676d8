"""Class-label dtypes: torch's cross-entropy takes int64 labels, MindSpore's int32.

A converted script keeps building its labels the way the original did, so the
converted loss must accept them: ``CrossEntropyLoss`` (and, towards torch, ``NLLLoss``;
MindSpore's NLLLoss takes int64 as well, measured) becomes msbridge's subclass of the target
class that casts integer labels (``msbridge.bridge.labels_*``).
Converting back reads the subclass as the class it extends.
"""
from __future__ import annotations

SUBCLASS = {
    "mindspore": {"mindspore.nn.CrossEntropyLoss": "msbridge.bridge.labels_mindspore.CrossEntropyLoss"},
    "torch": {"torch.nn.CrossEntropyLoss": "msbridge.bridge.labels_torch.CrossEntropyLoss",
              "torch.nn.NLLLoss": "msbridge.bridge.labels_torch.NLLLoss"},
}
BASE = {sub: base for table in SUBCLASS.values() for base, sub in table.items()}
NOTE = {"mindspore": "integer labels cast to int32 (MindSpore's CrossEntropyLoss rejects torch's int64)",
        "torch": "integer labels cast to int64 (torch's CrossEntropyLoss and NLLLoss reject MindSpore's int32)"}


def target_name(name: str, target: str) -> str:
    """The class to write for target API ``name`` (msbridge's label-casting subclass where needed)."""
    return SUBCLASS[target].get(name, name)


def note(name: str, target: str) -> str:
    return NOTE[target] if name in SUBCLASS[target] else ""


def source_name(name: str | None) -> str | None:
    """msbridge's label-casting subclass -> the framework class it extends (for converting back)."""
    return BASE.get(name, name) if name is not None else None
