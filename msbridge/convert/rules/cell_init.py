"""``super().__init__(auto_prefix, flags)`` in a class whose base is ``mindspore.nn.Cell`` (MindSpore -> torch).

MindSpore's ``Cell.__init__(auto_prefix=True, flags=None)`` takes two arguments that torch's
``Module.__init__()`` does not: kept, they raise TypeError when the converted class is built
(``super().__init__(Generator)``, found in MindSpore-GAN's models, passes the class as ``auto_prefix``).
Both are ``mindspore_only`` in mapping_tables/layers.toml (parameter-name prefixing, graph-compilation flags),
so they are dropped, as from a direct ``nn.Cell(...)`` call. Only where the call can be bound to Cell's own
``__init__``: the class has that single base, ``super()`` names this class (or nothing), at most two
positional arguments or those keywords, no ``*``/``**``. An argument with a call in it (a side effect the
original ran) is left for review instead of being dropped, and so is an ``auto_prefix`` that is not ``True``
or the class itself: with ``auto_prefix=False`` MindSpore names the cell's own parameters ``weight``, not
``fc.weight`` (measured on 2.10), where torch's state_dict keys keep the path.
"""
from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from msbridge.convert import report as rpt
from msbridge.convert.rules.methods import module_base

PARAMS = ("auto_prefix", "flags")
WHY = ("mindspore.nn.Cell.__init__'s auto_prefix (parameter-name prefixing) and flags (graph-compilation flags) "
       "have no torch.nn.Module counterpart: dropped")


def call(rw, original: cst.Call, updated: cst.Call):
    """The rewritten ``super().__init__()``, or None when ``original`` is not such a call."""
    func = original.func
    if rw.target != "torch" or not original.args or not rw.classes or not isinstance(func, cst.Attribute) \
            or func.attr.value != "__init__" or not _is_super_of(func.value, rw.classes[-1]):
        return None
    cls = rw.classes[-1]
    base = rw.imports.resolve(cls.bases[0].value) if len(cls.bases) == 1 and not cls.keywords else None
    if base is None or rw.catalog.public_name(base, rw.source) != module_base("torch"):
        return None   # nn.cell.Cell is spelled nn.Cell by its public name
    args = original.args
    positional = [a for a in args if a.keyword is None]
    if any(a.star for a in args) or len(positional) > len(PARAMS) or \
            any(a.keyword is not None and a.keyword.value not in PARAMS[len(positional):] for a in args):
        return None   # not a valid call of Cell.__init__: left as written
    prefix = positional[0].value if positional else next((a.value for a in args if a.keyword is not None
                                                           and a.keyword.value == "auto_prefix"), None)
    if prefix is not None and not _truthy(rw, prefix):
        rw.record(original, "super().__init__()", rpt.REVIEW, None,
                  f"auto_prefix={rw.code_of(prefix)}: MindSpore may name this cell's parameters without the "
                  "attribute path that torch's state_dict keys always carry, so checkpoints may not line up; "
                  "torch's __init__() takes no argument: remove it")
        return updated
    if any(m.findall(a.value, m.Call()) for a in args):
        rw.record(original, "super().__init__()", rpt.REVIEW, None,
                  "mindspore.nn.Cell.__init__'s arguments have no torch.nn.Module counterpart and torch's "
                  "__init__() takes none: remove them (this one calls something)")
        return updated
    rw.record(original, "super().__init__()", rpt.CONVERTED, "super().__init__()", WHY)
    return updated.with_changes(args=[])


def _is_super_of(node, cls: cst.ClassDef) -> bool:
    """``super()`` or ``super(ThisClass, self)``."""
    if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "super"):
        return False
    if not node.args:
        return True
    first = node.args[0].value
    return len(node.args) == 2 and isinstance(first, cst.Name) and first.value == cls.name.value


def _truthy(rw, node) -> bool:
    """``True``, or the class being defined (``super().__init__(Generator)``): auto_prefix as by default."""
    return isinstance(node, cst.Name) and (node.value == "True" or any(c.name.value == node.value
                                                                        for c in rw.classes))
