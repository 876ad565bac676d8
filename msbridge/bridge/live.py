"""Read a live object's construction arguments back, by the names a table row declares.

torch schedulers and MindSpore LearningRateSchedule cells keep their hyper-parameters as
attributes (sometimes under another name, declared in the row's ``attributes``); torch's
MultiStepLR keeps its milestones as a Counter, expanded back to a sorted list here.
"""
from __future__ import annotations

from collections import Counter

from msbridge.tables.records import CARRIER_PARAMS, ApiRef

__all__ = ["qualified_name", "live_kwargs"]


def qualified_name(obj) -> str:
    """``module.Class`` of an object as the tables spell it: msbridge's MindSpore-shaped classes
    map to ``mindspore.nn.<Class>``, MindSpore's private module paths to the public one."""
    cls = type(obj)
    module = cls.__module__
    if module.startswith("msbridge.mindspore.nn") or module.startswith("mindspore.nn"):
        return f"mindspore.nn.{cls.__name__}"
    if module.startswith("mindspore.experimental.optim.lr_scheduler"):
        return f"mindspore.experimental.optim.lr_scheduler.{cls.__name__}"
    if module.startswith("torch.optim.lr_scheduler"):
        return f"torch.optim.lr_scheduler.{cls.__name__}"
    return f"{module}.{cls.__name__}"


def live_kwargs(obj, api: ApiRef) -> dict:
    """The keyword arguments that would rebuild ``obj``, read from its attributes."""
    kwargs = {}
    for param in api.params:
        if param.name in CARRIER_PARAMS or param.var_keyword or param.name == "last_epoch":
            continue
        attribute = next((a for a in (api.attribute(param.name), param.name) if hasattr(obj, a)), None)
        if attribute is None:
            raise ValueError(f"cannot read {param.name!r} back from this {type(obj).__name__} "
                             f"(no attribute {api.attribute(param.name)!r}); translate its constructor call instead")
        value = getattr(obj, attribute)
        if isinstance(value, Counter):
            value = sorted(value.elements())
        kwargs[param.name] = value
    return kwargs
