"""Checkpoints across frameworks: the Python API behind ``msbridge ckpt``.

* ``convert_file(src, dst, to=None, model=None)``: file -> file (any of .ckpt, .pt/.pth/.bin,
  .safetensors), names and layouts from the layers' parameter maps;
* ``state_dict_to_mindspore`` / ``mindspore_to_state_dict``: in-memory dicts;
* ``load_checkpoint_into(model, path)``: read a file written by either framework into a live
  torch module or MindSpore cell, matched exactly against the model.

MindSpore checkpoints saved from a training network also hold the optimizer's state (``moments.*``,
``global_step``, ...): that is training state, not weights, and is set aside here (see
``Conversion.training_state``; ``msbridge.bridge.optimizer_state`` converts it).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from msbridge.bridge import checkpoint_io, checkpoint_prefixes
from msbridge.bridge.checkpoint_models import describe, framework_of, load_into
from msbridge.bridge.checkpoint_names import FRAMEWORKS, Renamed, check_against, convert_names, other
from msbridge.bridge.checkpoint_tensor import (
    CheckpointError, RawTensor, from_mindspore, from_torch, to_mindspore, to_torch,
)

# What MindSpore's optimizers and ModelCheckpoint add next to a network's weights.
MINDSPORE_STATE_PREFIXES = ("moments.", "moment1.", "moment2.", "accum.", "mean_square.", "mean_grad.", "vhat.",
                            "adam_m.", "adam_v.", "moment.", "stat.")
MINDSPORE_STATE_NAMES = ("global_step", "learning_rate", "momentum", "beta1_power", "beta2_power", "epoch_num",
                         "step_num", "scale_sense", "current_iterator_step", "last_overflow_iterator_step")


@dataclass
class Conversion:
    """What a conversion did; ``renamed.tensors`` are the converted weights."""
    source: str
    target: str
    renamed: Renamed
    training_state: dict[str, RawTensor] = field(default_factory=dict)
    output_format: str | None = None
    notes: list[str] = field(default_factory=list)
    state_carried: bool = False

    def summary(self) -> str:
        r = self.renamed
        parts = [f"{len(r.tensors)} tensors {self.source} -> {self.target}", f"{len(r.mapped)} renamed or re-laid-out"]
        if r.kept:
            parts.append(f"{len(r.kept)} kept as is (no parameter map names them)")
        for label, names in (("recreated", r.filled), ("dropped", r.dropped)):
            if names:
                leaves = ", ".join(sorted({n.rpartition(".")[2] for n in names}))
                parts.append(f"{len(names)} {label} ({leaves})")
        if self.training_state and not self.state_carried:
            parts.append(f"{len(self.training_state)} optimizer/training-state entries set aside")
        return "; ".join(parts + self.notes)


def split_training_state(tensors: dict[str, RawTensor]) -> tuple[dict, dict]:
    """(weights, training state) of a MindSpore checkpoint.

    ``<slot>.<name>`` is a slot only where ``<name>`` is also in the file, or ends a name there (a
    wrapper cell built after the optimizer renames the weights, not the slots): a user's own layer
    called ``moment`` keeps its weights."""
    weights, state = {}, {}
    tails = {name.split(".", i)[-1] for name in tensors if not name.startswith(MINDSPORE_STATE_PREFIXES)
             for i in range(name.count(".") + 1)}
    for name, raw in tensors.items():
        slot, _, rest = name.partition(".")
        is_state = name in MINDSPORE_STATE_NAMES or (name.startswith(MINDSPORE_STATE_PREFIXES) and rest in tails)
        (state if is_state else weights)[name] = raw
    return weights, state


def convert_tensors(tensors: dict[str, RawTensor], source: str, model=None) -> Conversion:
    """Convert tensors written by ``source`` for the other framework (or exactly for ``model``)."""
    if source not in FRAMEWORKS:
        raise ValueError(f"source must be one of {FRAMEWORKS}, got {source!r}")
    state = {}
    if source == "mindspore":
        tensors, state = split_training_state(tensors)
    target = describe(model) if model is not None else None
    if target is not None and target.framework == source:  # same framework: only match
        check_against(tensors, target)
        return Conversion(source, source, Renamed(dict(tensors), kept=list(tensors)), state)
    return Conversion(source, other(source), convert_names(tensors, source, target), state)


def _target_framework(src_format: str, dst: Path, to: str | None, model) -> str:
    if model is not None:
        found = framework_of(model)
        if to is not None and to != found:
            raise CheckpointError(f"--to {to} contradicts the model, which is a {found} model")
        return found
    if to is not None:
        if to not in FRAMEWORKS:
            raise CheckpointError(f"--to must be torch or mindspore, got {to!r}")
        return to
    dst_format = checkpoint_io.format_for_path(dst)
    if dst_format in FRAMEWORKS:
        return dst_format
    if src_format in FRAMEWORKS:
        return other(src_format)
    raise CheckpointError(f"cannot tell the direction from {dst.name!r} and a safetensors input: pass --to")


def _apply_prefix(ckpt, source: str, model, strip: str | None, add: str | None) -> list[str]:
    """Strip/add a wrapper prefix on the weights (and on optimizer slots named after them); notes."""
    weights, state = split_training_state(ckpt.tensors) if ckpt.format == "mindspore" else (ckpt.tensors, {})
    target_names = describe(model).shapes if model is not None else None
    change = checkpoint_prefixes.choose(weights, source, strip=strip, add=add, target_names=target_names)
    if not change:
        found = checkpoint_prefixes.hint(weights) if target_names is None and strip is None else None
        return [found] if found else []
    renamed = {}
    for name, raw in ckpt.tensors.items():
        slot, _, rest = name.partition(".")
        if name in weights:
            name = change.rename(name)
        elif rest in weights:
            name = f"{slot}.{change.rename(rest)}"
        renamed[name] = raw
    ckpt.tensors = renamed
    what = " and ".join(part for part in (f"stripped {change.strip!r}" if change.strip else "",
                                          f"added {change.add!r}" if change.add else "") if part)
    return [f"prefix: {what} ({change.how})"]


def convert_file(src: str | Path, dst: str | Path, *, to: str | None = None, model=None, optimizer: str | None = None,
                 global_step: int | None = None, weights_only: bool = False, strip_prefix: str | None = None,
                 add_prefix: str | None = None) -> Conversion:
    """Convert the checkpoint file ``src`` into ``dst`` (written atomically; ``src`` is only read).

    Optimizer state and the LR position travel with the weights when the file holds them and the
    output can (MindSpore .ckpt <-> a torch training dict; see ``optimizer_files``), unless
    ``weights_only``. ``optimizer`` names the optimizer where the file cannot tell it (or checks it);
    ``global_step`` gives torch SGD's missing step count. A wrapper prefix (``module.``, ...) is
    stripped where unambiguous (``checkpoint_prefixes``) or as ``strip_prefix``/``add_prefix`` say."""
    from msbridge.bridge import optimizer_files

    src, dst = Path(src), Path(dst)
    if dst.exists() and dst.resolve() == src.resolve():
        raise CheckpointError(f"{dst}: the output would overwrite the input; choose another output file")
    dst_format = checkpoint_io.format_for_path(dst)
    if dst_format is None:
        raise CheckpointError(f"{dst}: cannot tell the output format from the extension "
                              f"(use one of {', '.join(checkpoint_io.EXTENSIONS)})")
    if optimizer is not None:
        optimizer_files.optimizer_name(optimizer)  # a bad name fails before any work
    ckpt = checkpoint_io.read_checkpoint(src)
    target = _target_framework(ckpt.format, dst, to, model)
    source = ckpt.format if ckpt.format in FRAMEWORKS else other(target)
    notes = _apply_prefix(ckpt, source, model, strip_prefix, add_prefix)
    if source == target and model is None:  # a format change only
        conversion = Conversion(source, target, Renamed(dict(ckpt.tensors), kept=list(ckpt.tensors)))
    else:
        conversion = convert_tensors(ckpt.tensors, source, model)
    conversion.notes = notes
    tensors, extra, nested_under = conversion.renamed.tensors, None, None
    if ckpt.format == "torch" and dst_format == "torch" and ckpt.nested_under:
        extra, nested_under = ckpt.extra, ckpt.nested_under
    carry = not weights_only and source != target
    if carry and conversion.training_state and dst_format == "torch":
        extra, more = optimizer_files.to_torch_training_dict(conversion, tensors, model, optimizer)
        nested_under, conversion.state_carried = "model", True
        conversion.notes += more
    elif carry and source == "torch" and dst_format == "mindspore" and optimizer_files.find_optimizer_dict(ckpt.extra):
        renames = {a: b for a, b, _ in conversion.renamed.mapped} | {n: n for n in conversion.renamed.kept}
        entries, more = optimizer_files.to_mindspore_entries(ckpt.extra, ckpt.tensors, renames, tensors,
                                                             optimizer, global_step)
        tensors = {**tensors, **entries}
        conversion.notes += more
    elif ckpt.extra and optimizer_files.find_optimizer_dict(ckpt.extra) and not weights_only and dst_format != "torch":
        conversion.notes.append("the optimizer state is set aside (only a MindSpore .ckpt output carries it)")
    conversion.output_format = checkpoint_io.write_checkpoint(dst, tensors, dst_format, extra=extra,
                                                              nested_under=nested_under)
    return conversion


def state_dict_to_mindspore(state_dict: dict, net=None) -> dict:
    """A torch state_dict -> ``{name: mindspore.Parameter}`` (what ``load_checkpoint`` returns)."""
    import mindspore

    conversion = convert_tensors({k: from_torch(v) for k, v in state_dict.items()}, "torch", net)
    return {name: mindspore.Parameter(to_mindspore(raw), name=name, requires_grad=raw.dtype.startswith(("float", "bf")))
            for name, raw in conversion.renamed.tensors.items()}


def mindspore_to_state_dict(param_dict: dict, model=None) -> dict:
    """A MindSpore parameter dict (``load_checkpoint``'s result, or ``{name: Tensor}``) -> a torch state_dict.

    Optimizer/training-state entries are left out (see ``split_training_state``)."""
    conversion = convert_tensors({k: from_mindspore(v) for k, v in param_dict.items()}, "mindspore", model)
    return {name: to_torch(raw).clone() for name, raw in conversion.renamed.tensors.items()}


def load_checkpoint_into(model, path: str | Path, *, strip_prefix: str | None = None,
                         add_prefix: str | None = None) -> Conversion:
    """Load a checkpoint written by either framework into a live torch module or MindSpore cell.

    Every parameter of ``model`` must be filled and nothing left over (shapes included), else
    CheckpointError lists what is missing, extra and mismatched; ``model`` is untouched then.
    A wrapper prefix (``module.``, ``network.``, ...) is stripped or added to fit the model."""
    ckpt = checkpoint_io.read_checkpoint(path)
    framework = framework_of(model)
    source = ckpt.format if ckpt.format in FRAMEWORKS else None
    notes = _apply_prefix(ckpt, source or framework, model, strip_prefix, add_prefix)
    if source is None:  # safetensors: whichever framework's names fit the model
        source = framework if set(ckpt.tensors) == set(describe(model).shapes) else other(framework)
    conversion = convert_tensors(ckpt.tensors, source, model)
    conversion.notes = notes
    load_into(model, conversion.renamed.tensors)
    return conversion


def atomic_target(path: str | Path) -> Path:
    """The output path, refusing a folder (used by the command line before any work)."""
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(f"{path}: is a folder; name the output file")
    if not Path(os.path.dirname(os.path.abspath(path))).is_dir():
        raise CheckpointError(f"{path}: the folder does not exist")
    return path
