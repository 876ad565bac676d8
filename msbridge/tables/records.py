"""Typed, immutable records that a mapping-table row becomes after validation.

The public contract (used by the converter, the bridge, the docs and the tests):

* ``ApiRow``: ``id, kind, exactness, exactness_reason, paradigm, note, mindspore, torch, args, context``
  plus these optional fields:
    - ``file``: the TOML file the row came from (for error messages and docs);
    - ``family``: rows that describe one idea together (e.g. the three-way exponential row);
    - ``directions``: which ways the row translates, a subset of ``("to_torch", "to_mindspore")``;
    - ``condition_to_torch`` / ``condition_to_mindspore``: an expression over the source arguments
      (and context) that must hold for the row to apply, e.g. ``"is_stair"``;
    - ``torch_step``: ``"epoch"`` or ``"step"`` -- how often the torch scheduler is stepped for the
      two sides to agree (LR rows only);
    - ``torch_optimizer_lr``: expression over the MindSpore arguments giving the lr the torch
      optimizer must start with (LR rows: torch schedulers scale the optimizer's lr), e.g.
      ``"learning_rate"``, ``"max_lr"``, or ``"1.0"`` for LambdaLR rows whose lambda returns the lr itself;
    - ``rtol``: the relative tolerance that the exactness class promises (None for bit-exact);
    - ``docs_correction``: where MindSpore's published mapping says otherwise, and the evidence;
    - ``examples``: argument sets the table-driven tests run through both real frameworks
      (``Example.exprs`` holds arguments written as expressions, e.g. lambdas; ``Example.inputs``
      the tensors a layer/loss/function row is called with, see ``InputSpec``);
    - ``category``: what the API is (``CATEGORIES``): it picks the test runner and the converter's
      handling, declared rather than guessed from file names or paradigms;
    - ``params``: the parameter map of a layer row (``ParamEntry``), MindSpore name <-> torch name and
      layout; it drives the row tests, the whole-model checks and the checkpoint converter, with
      ``mindspore_inner`` and ``infer`` (see ``LayerParams``);
    - ``modes``: ``("train", "eval")`` when a layer computes differently in the two modes.
* ``ArgRule``: ``mindspore, torch, rule, to_torch, to_mindspore, note``. ``to_torch`` is an expression over
  MindSpore argument names and context names giving the torch argument; ``to_mindspore`` the reverse.
  For ``same``/``rename``/``default_differs`` the loader fills the identity expression (the other
  side's name), so consumers never special-case them. ``split``: one torch argument that MindSpore
  spells as several (one rule per MindSpore argument, all with the same ``to_torch``; invertible:
  ``betas`` <-> ``beta1, beta2``); ``merge``: several MindSpore arguments folded into one torch
  argument (e.g. a LambdaLR ``lr_lambda``), usually one-way. ``unsupported``: an argument of exactly
  one side whose non-default values cannot cross (translation raises, saying what to do);
  ``mindspore_only`` / ``torch_only``: dropped when translating away from that side, and filled
  from ``to_mindspore`` / ``to_torch`` (if given) when translating towards it. ``optimizer_lr``: a
  MindSpore LR argument that torch takes from the optimizer instead (its ``to_mindspore`` reads the
  ``initial_lr`` context; the torch side is the row's ``torch_optimizer_lr``).
* ``ApiRef``: ``name, params`` (positional order) plus ``attributes`` (param -> attribute of a live
  object that stores it, when the names differ).
* ``LayerParams`` / ``ParamEntry``: a layer's parameter map (a layer row's ``params``, or a
  ``[[layer]]`` table for a layer with no row yet; both validated by
  ``msbridge.tables.param_entries``, gathered by ``msbridge.tables.param_maps``): leaf names on each side, torch rank, ``layout`` (``LAYOUTS``),
  ``optional``, and ``fill`` (``FILLS``) for a torch-only buffer.
* ``Param``: ``name, default`` (``Param.REQUIRED`` when required) plus ``keyword_only`` and
  ``var_keyword`` (``**kwargs``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

KINDS = ("identical", "renamed", "defaults_differ", "transform", "composite", "no_equivalent")
EXACTNESS = ("bit-exact", "float32-rounding", "approximate", "impossible")
RULES = ("same", "rename", "default_differs", "transform", "split", "merge", "unsupported",
         "mindspore_only", "torch_only", "optimizer_lr")
DIRECTIONS = ("to_torch", "to_mindspore")
TORCH_STEPS = ("epoch", "step")
# What a row's API is. layer/loss/function rows run through the generic differential harness
# (tests/layers/): built from their examples, parameters copied through ``params``, outputs and
# gradients compared. container/class rows are structural (Sequential, Module); lr/optimizer rows
# have their own runners (msbridge.bridge.verify). A type row applies only where its API is named as a
# type (isinstance checks, annotations: convert.rules.type_refs), never to calls.
CATEGORIES = ("layer", "loss", "function", "container", "class", "method", "constant", "idiom",
              "optimizer", "lr", "tensor", "type")
MODES = ("train", "eval")
# How an input tensor of an example is drawn (InputSpec.kind).
# mask: booleans (True at about a third of the places, never along a whole last axis).
INPUT_KINDS = ("normal", "uniform", "positive", "labels", "onehot", "probabilities", "mask", "signs", "unit")

# Extra inputs a translation may read besides the source API's own arguments.
CONTEXT_NAMES = {
    "steps_per_epoch": "training steps (optimizer updates) per epoch",
    "total_steps": "number of training steps the per-step LR list must cover",
    "initial_lr": "the lr the torch optimizer group starts with (torch schedulers keep it as group['initial_lr'])",
    "per_step_lrs": "the LRs a torch scheduler yields, one per training step, recorded by msbridge.bridge",
}
# Arguments that carry the object being configured rather than a hyper-parameter.
CARRIER_PARAMS = ("params", "optimizer")


class _Required:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self):
        return "REQUIRED"

    def __reduce__(self):
        return (_Required, ())


@dataclass(frozen=True)
class Param:
    """One parameter of a real API, in signature order."""
    REQUIRED: ClassVar[_Required] = _Required()
    name: str
    default: Any = _Required()
    keyword_only: bool = False
    var_keyword: bool = False

    @property
    def required(self) -> bool:
        return self.default is Param.REQUIRED and not self.var_keyword


@dataclass(frozen=True)
class ApiRef:
    """A fully qualified API and its declared signature."""
    name: str
    params: tuple[Param, ...]
    attributes: tuple[tuple[str, str], ...] = ()

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params if not p.var_keyword)

    def attribute(self, name: str) -> str:
        """The attribute of a live object that stores parameter ``name``."""
        return dict(self.attributes).get(name, name)


@dataclass(frozen=True)
class ArgRule:
    """How one argument crosses over."""
    mindspore: str | None
    torch: str | None
    rule: str
    to_torch: str | None = None
    to_mindspore: str | None = None
    note: str = ""


LAYOUTS = {
    "same": "identical shape and memory order",
    "insert_axis_2": "MindSpore's tensor has an extra length-1 axis at position 2 (Conv1d (out, in, 1, k))",
}
FILLS = {"zero_int64": "a 0-d int64 zero (torch's num_batches_tracked; MindSpore keeps no count)"}


@dataclass(frozen=True)
class ParamEntry:
    """One parameter or buffer of a layer: its leaf name on each side and how its layout differs."""
    mindspore: str | None
    torch: str | None
    ndim: int | None = None
    layout: str = "same"
    optional: bool = False
    fill: str | None = None
    note: str = ""

    @property
    def mindspore_extra_axis(self) -> int | None:
        """The axis MindSpore's tensor has in addition to torch's (Conv1d's weight), or None."""
        return 2 if self.layout == "insert_axis_2" else None


@dataclass(frozen=True)
class InputSpec:
    """A tensor an example feeds the layer: ``shape``, drawn as ``kind`` (``INPUT_KINDS``).

    ``labels``/``onehot`` use ``classes``; labels are int32 for MindSpore and int64 for torch
    (what each framework's losses accept). Consecutive inputs with the same non-empty ``group``
    are passed as one tuple argument (an LSTM's ``hx = (h0, c0)``)."""
    shape: tuple[int, ...]
    kind: str = "normal"
    classes: int = 0
    group: str = ""


@dataclass(frozen=True)
class Example:
    """A call the table-driven tests make on the ``source`` side and translate to the other.

    ``exprs`` holds arguments written as expressions (lambdas for LambdaLR); a ``schedulers``
    argument is a list of ``{api, args}`` specs built on each side's own module."""
    source: str
    args: tuple[tuple[str, Any], ...]
    context: tuple[tuple[str, Any], ...] = ()
    exprs: tuple[tuple[str, str], ...] = ()
    inputs: tuple[InputSpec, ...] = ()

    @property
    def kwargs(self) -> dict:
        from msbridge.tables.expr import evaluate

        return {**dict(self.args), **{name: evaluate(text) for name, text in self.exprs}}

    @property
    def context_dict(self) -> dict:
        return dict(self.context)


@dataclass(frozen=True)
class ApiRow:
    """One MindSpore API paired with its torch counterpart."""
    id: str
    kind: str
    exactness: str
    exactness_reason: str
    paradigm: str | None
    note: str
    mindspore: ApiRef
    torch: ApiRef | None
    args: tuple[ArgRule, ...]
    context: tuple[str, ...] = ()
    file: str = ""
    family: str | None = None
    directions: tuple[str, ...] = DIRECTIONS
    condition_to_torch: str | None = None
    condition_to_mindspore: str | None = None
    torch_step: str | None = None
    rtol: float | None = None
    torch_optimizer_lr: str | None = None
    docs_correction: str | None = None
    examples: tuple[Example, ...] = field(default=(), compare=False)
    category: str | None = None
    params: tuple[ParamEntry, ...] = ()
    modes: tuple[str, ...] = ()
    mindspore_inner: str = ""  # the child cell holding the parameters in MindSpore (BatchNorm3d: "bn2d")
    infer: bool = True  # False: a checkpoint picks this layer only from a live model's class

    def __repr__(self):
        torch_name = self.torch.name if self.torch else None
        return (f"ApiRow(id={self.id!r}, mindspore={self.mindspore.name!r}, torch={torch_name!r}, "
                f"exactness={self.exactness!r})")

    def side(self, framework: str) -> ApiRef | None:
        return self.mindspore if framework == "mindspore" else self.torch

    def rules_for(self, framework: str, name: str) -> tuple[ArgRule, ...]:
        return tuple(r for r in self.args if getattr(r, framework) == name)


@dataclass(frozen=True)
class LayerParams:
    """The parameter map of one layer pair: a layer row's ``params``, or a ``[[layer]]`` table."""
    id: str
    mindspore: str
    torch: str
    params: tuple[ParamEntry, ...]
    file: str = ""
    mindspore_inner: str = ""  # the child cell that holds the parameters in MindSpore (BatchNorm3d: "bn2d")
    infer: bool = True  # False: chosen only by a live model's class, never guessed from names

    def side(self, framework: str) -> str:
        return self.mindspore if framework == "mindspore" else self.torch
