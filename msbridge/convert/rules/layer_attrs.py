"""A layer's parameters read or written by torch's name on a MindSpore layer, or MindSpore's on a torch one.

Real code ties and initialises weights through the layer's attributes: attention-is-all-you-need-pytorch's
``self.trg_word_prj.weight = self.decoder.trg_word_emb.weight``, PyTorch-GAN's ``m.weight.data`` on a
BatchNorm2d. MindSpore names those parameters otherwise (``embedding_table``, ``gamma``/``beta``/``moving_mean``/
``moving_variance``, PReLU's ``w``: ``msbridge.bridge.layer_names``), so the converted read raised AttributeError
and the converted write set a new attribute: the weights were silently not tied. Both were reported converted.

* The receiver is known to be built by a layer call the rewriter decided (``self.emb`` assigned
  ``nn.Embedding(...)`` in every assignment of the class, a name bound only to such calls): the attribute is
  renamed, read or written (a Parameter assigned to a Cell attribute replaces the layer's parameter: the tie holds
  on MindSpore, measured). A layer that keeps the source's names (a Dense's ``weight``, msbridge's twins, a call
  left unconverted) is left as written.
* Not known (a function's parameter, a loop variable): a read goes to a run-time choice,
  ``msbridge.torch.layer_params.param(m, "weight")`` on MindSpore, ``msbridge.bridge.cell_methods.norm_param(m,
  "embedding_table")`` on torch (MindSpore's normalization names there: ``rules.norm_params``); a write (an
  assignment, ``del``, a loop or ``with`` target) is marked review, since it may miss the layer's parameter.
Left as written: ``self.weight`` (a class's own attribute), an import, an object known not to be a framework one.

A layer's constructor settings named otherwise (``msbridge.bridge.layer_settings``: a Dense's ``in_channels`` is a
Linear's ``in_features``; fine-tuning's ``net.fc = nn.Dense(net.fc.in_channels, 5)``) are renamed the same way on a
known layer; on one the converter cannot type, a MindSpore -> torch read goes to
``msbridge.bridge.cell_methods.layer_setting``, which decides at run time.
"""
from __future__ import annotations

import libcst as cst

from msbridge.bridge.layer_names import MINDSPORE_TO_TORCH, TORCH_TO_MINDSPORE
from msbridge.bridge.layer_names import renamed as renamed_in
from msbridge.bridge import layer_settings
from msbridge.convert import report as rpt
from msbridge.convert.bindings import OTHER, SOURCE
from msbridge.convert.catalog import framework_of, mirror_framework_of

# the source framework's names that another layer class of the target names otherwise
NAMES = {"mindspore": frozenset(n for names in TORCH_TO_MINDSPORE.values() for n in names),
         "torch": frozenset({"embedding_table"})}   # gamma & co. on torch: rules.norm_params, w: too common a name
STATIC = {"mindspore": NAMES["mindspore"] | layer_settings.NAMES["mindspore"],
          "torch": frozenset(n for names in MINDSPORE_TO_TORCH.values() for n in names) | layer_settings.NAMES["torch"]}
# names whose write on an object of unknown class is marked (not ``w``: too common a name to mark)
WRITTEN = {"mindspore": NAMES["mindspore"],
           "torch": NAMES["torch"] | {"gamma", "beta", "moving_mean", "moving_variance"}}
TWIN = {"mindspore": "msbridge.torch.layer_params.param", "torch": "msbridge.bridge.cell_methods.norm_param"}
SETTING_TWIN = "msbridge.bridge.cell_methods.layer_setting"
SETTING_WHY = ("MindSpore's Dense calls in_features/out_features in_channels/out_channels, its Embedding calls "
               "num_embeddings/embedding_dim vocab_size/embedding_size: msbridge.bridge.cell_methods.layer_setting "
               "reads torch's counterpart on such a torch layer (decided at run time), the object's own attribute "
               "otherwise")
WHY = {"mindspore": ("MindSpore's Embedding/normalization/PReLU layers name this parameter otherwise "
                     "(embedding_table, gamma, beta, moving_mean, moving_variance, w): "
                     "msbridge.torch.layer_params.param reads MindSpore's name on such a layer (decided at run "
                     "time), the object's own attribute otherwise"),
       "torch": ("torch's Embedding names embedding_table weight: msbridge.bridge.cell_methods.norm_param reads it "
                 "on a torch Embedding (decided at run time), the object's own attribute otherwise")}


def note_call(rw, original: cst.Call, updated: cst.Call, result) -> None:
    """Remember the class ``original`` builds once converted (the target's layer, a twin, a call left as written)."""
    name = rw.imports.resolve(original.func)
    if name is None:
        return
    if framework_of(name) == rw.target or mirror_framework_of(name) == rw.source:
        rw.layer_classes[id(original)] = name   # already the target's class, or a twin with the source's names
    elif framework_of(name) == rw.source and rw.recorded is not None and isinstance(result, cst.Call):
        use = rw.recorded[1]
        if result.func is updated.func:
            rw.layer_classes[id(original)] = name   # left in the source framework
        elif use.target and use.target.count(".") >= 1:
            rw.layer_classes[id(original)] = use.target


def _class_attributes(cls: cst.ClassDef) -> dict[str, list]:
    """attr -> the values the class's methods assign to ``self.attr`` (None: augmented, unpacked, annotated
    without a value)."""
    found: dict[str, list] = {}

    class Targets(cst.CSTVisitor):
        def __init__(self, me):
            self.me = me

        def _target(self, target, value):
            for element in (target.elements if isinstance(target, (cst.Tuple, cst.List)) else [target]):
                node = element.value if isinstance(element, (cst.Element, cst.StarredElement)) else element
                if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) \
                        and node.value.value == self.me:
                    found.setdefault(node.attr.value, []).append(value if node is target else None)

        def visit_Assign(self, node):
            for target in node.targets:
                self._target(target.target, node.value)

        def visit_AnnAssign(self, node):
            self._target(node.target, node.value)

        def visit_AugAssign(self, node):
            self._target(node.target, None)

    for stmt in cls.body.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.params.params:
            stmt.visit(Targets(stmt.params.params[0].name.value))
    return found


# methods returning the network itself, which rules.default_mode appends (`net = Net().set_train()`): a second run
# must see the object the first one saw
_MODE = frozenset({"set_train", "train", "eval"})


def _built_by(value):
    while isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in _MODE \
            and isinstance(value.func.value, cst.Call):
        value = value.func.value
    return value


def _assigned(rw, node: cst.BaseExpression) -> list | None:
    """The values every binding of a name, or of ``obj.attr`` on an instance of a class of the file, assigns."""
    values = None
    if isinstance(node, cst.Name):
        values = rw.bindings.assigned_values(node)
    elif isinstance(node, cst.Attribute):
        cls = _instance_of(rw, node.value)
        if cls is not None:
            if id(cls) not in rw.class_attributes:
                rw.class_attributes[id(cls)] = _class_attributes(cls)
            values = rw.class_attributes[id(cls)].get(node.attr.value)
    return [_built_by(v) for v in values] if values else None


def _instance_of(rw, node: cst.BaseExpression) -> cst.ClassDef | None:
    """The class of the file ``node`` is an instance of: ``self``, ``net = Net()``, ``self.encoder`` assigned
    ``Encoder(...)`` in every assignment of its class (attention-is-all-you-need's ``self.encoder.src_word_emb``)."""
    if isinstance(node, cst.Name) and rw.bindings.class_of(node) is not None:
        return rw.bindings.class_of(node)
    values = _assigned(rw, node) if isinstance(node, (cst.Name, cst.Attribute)) else None
    if not values or not all(isinstance(v, cst.Call) for v in values):
        return None
    classes = {rw.bindings.defined_class(v.func) for v in values}
    return classes.pop() if len(classes) == 1 else None


def layer_class(rw, receiver: cst.BaseExpression) -> str | None:
    """The framework class every binding of ``receiver`` is built by (as converted), or None when not known."""
    if isinstance(receiver, cst.Call):
        return rw.layer_classes.get(id(receiver))
    values = _assigned(rw, receiver)
    if not values or not all(isinstance(v, cst.Call) for v in values):
        return None
    classes = {rw.layer_classes.get(id(v)) for v in values}
    return classes.pop() if len(classes) == 1 else None


def attribute(rw, original: cst.Attribute, updated: cst.Attribute):
    """The converted attribute (renamed, or the run-time call), ``updated`` where it stays, or None (not ours)."""
    name = original.attr.value
    if rw.bindings is None or name not in STATIC[rw.target]:
        return None
    receiver = original.value
    if isinstance(receiver, cst.Name) and receiver.value in ("self", "cls") or rw.imports.resolve(receiver) is not None:
        return None
    known = layer_class(rw, receiver)
    setting = name in layer_settings.NAMES[rw.target]
    if known is not None:
        new = layer_settings.renamed(known, name, rw.target) if setting else renamed_in(known, name, rw.target)
        if new is None:
            return updated   # a layer that keeps this name (a Dense's weight, a twin, a call left as written)
        use = "assigned" if id(original) in rw.written_attributes else "read"
        what = "setting" if setting else "parameter"
        rw.record(original, f".{name}", rpt.CONVERTED, f".{new}", f"{known} names this {what} {new} ({use})")
        return updated.with_changes(attr=cst.Name(new))
    if setting:
        return _setting(rw, original, updated)
    if name not in WRITTEN[rw.target] or rw.bindings.kind(receiver) in (OTHER, SOURCE) \
            or _instance_of(rw, receiver) is not None:   # a class of the file: its own attribute
        return None
    if id(original) in rw.written_attributes:
        rw.record(original, f".{name}", rpt.REVIEW, None,
                  f"written on an object whose class the converter cannot tell: a {rw.target} layer may name this "
                  f"parameter otherwise (msbridge.bridge.layer_names), and writing {name} would then miss the "
                  "layer's parameter (a new attribute the layer never reads): write the layer's own name")
        return updated
    if name not in NAMES[rw.target]:
        return None   # a read of gamma & co. on torch: rules.norm_params
    rw.record(original, f".{name}", rpt.CONVERTED, TWIN[rw.target], WHY[rw.target])
    return cst.Call(func=rw.needs.reference(TWIN[rw.target]),
                    args=[cst.Arg(updated.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                          cst.Arg(cst.SimpleString(f'"{name}"'))])


def _setting(rw, original: cst.Attribute, updated: cst.Attribute):
    """A read of a layer setting on a receiver of unknown class (MindSpore -> torch): the run-time twin."""
    receiver = original.value
    if rw.target != "torch" or id(original) in rw.written_attributes \
            or rw.bindings.kind(receiver) in (OTHER, SOURCE) or _instance_of(rw, receiver) is not None:
        return None
    name = original.attr.value
    rw.record(original, f".{name}", rpt.CONVERTED, SETTING_TWIN, SETTING_WHY)
    return cst.Call(func=rw.needs.reference(SETTING_TWIN),
                    args=[cst.Arg(updated.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                          cst.Arg(cst.SimpleString(f'"{name}"'))])
