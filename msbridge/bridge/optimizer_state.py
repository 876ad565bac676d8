"""Optimizer state and the LR position across frameworks, so an interrupted run resumes.

MindSpore keeps an optimizer's state as Parameters that ``save_checkpoint(train_net)`` writes next
to the weights (measured, MindSpore 2.10): one slot per parameter, ``<slot>.<parameter name>``,
plus ``global_step`` (int32 [1]: the number of updates so far, which is also the index into a
per-step LR list) and, for Adam, ``beta1_power``/``beta2_power`` (float32: beta**step, multiplied
up step by step). ``SLOTS`` pairs them with torch's ``optimizer.state`` keys and with the
attributes of msbridge's MindSpore-shaped optimizers. The slot tensors are renamed and laid out
like the weights they belong to (the weights' ``Conversion`` says how).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

from msbridge.bridge.checkpoint import Conversion
from msbridge.bridge.checkpoint_tensor import CheckpointError, RawTensor, from_torch, to_torch

# MindSpore optimizer -> (MindSpore slot -> torch state key), the torch optimizer class, and
# (MindSpore slot -> attribute of msbridge.mindspore.nn's optimizer). A torch class of None: no
# torch optimizer continues that run (NO_TORCH_COUNTERPART says why); msbridge's twin still does.
SLOTS = {
    "Momentum": ({"moments": "momentum_buffer"}, "SGD", {"moments": "moments"}),
    "Adam": ({"moment1": "exp_avg", "moment2": "exp_avg_sq"}, "Adam", {"moment1": "moment1", "moment2": "moment2"}),
    "AdamWeightDecay": ({"adam_m": "exp_avg", "adam_v": "exp_avg_sq"}, None,
                        {"adam_m": "moments1", "adam_v": "moments2"}),
    "Adagrad": ({"accum": "sum"}, "Adagrad", {"accum": "accum"}),
    "RMSProp": ({}, None, {"mean_square": "ms", "moment": "moment"}),
}
# slots only some configurations have: RMSProp(centered=True)'s mean gradient
OPTIONAL_SLOTS = {"RMSProp": {"mean_grad": "mg"}}
# slot sets of MindSpore optimizers msbridge does not convert, so that they are named, not guessed
UNCONVERTED = {"SGD": {"accum", "stat"}}
NO_TORCH_COUNTERPART = {
    "AdamWeightDecay": "torch.optim.AdamW is a different algorithm (row optim.AdamWeightDecay, exactness impossible: "
                       "MindSpore applies no bias correction), so its state cannot continue a MindSpore "
                       "AdamWeightDecay run; msbridge.mindspore.nn.AdamWeightDecay can (Python API: "
                       "load_into_msbridge_optimizer)",
    "RMSProp": "torch.optim.RMSprop is a different algorithm (row optim.RMSProp, exactness impossible: MindSpore "
               "starts the mean square at ones and adds epsilon inside the square root), so its state cannot "
               "continue a MindSpore RMSProp run; msbridge.mindspore.nn.RMSProp can (Python API: "
               "load_into_msbridge_optimizer)",
}
_TORCH_TO_MINDSPORE = {"SGD": "Momentum", "Adam": "Adam", "AdamW": "AdamWeightDecay", "Adagrad": "Adagrad"}


@dataclass
class TrainingState:
    """An optimizer's state in torch names: ``slots[slot][torch parameter name]``."""
    optimizer: str  # the MindSpore optimizer's name (a SLOTS key)
    global_step: int
    slots: dict[str, dict[str, RawTensor]] = field(default_factory=dict)
    beta1_power: float | None = None
    beta2_power: float | None = None


def _scalar(raw: RawTensor) -> float:
    return to_torch(raw).reshape(-1)[0].item()


def all_slots(kind: str) -> dict[str, str]:
    """MindSpore slot -> msbridge attribute, optional slots included."""
    return {**SLOTS[kind][2], **OPTIONAL_SLOTS.get(kind, {})}


def detect_optimizer(state: dict[str, RawTensor]) -> str:
    """The MindSpore optimizer whose slot set the state entries hold exactly."""
    known = {slot for kind in SLOTS for slot in all_slots(kind)} | set().union(*UNCONVERTED.values())
    present = {name.partition(".")[0] for name in state if "." in name} & known
    for kind in SLOTS:
        required = set(SLOTS[kind][2])
        if required <= present <= set(all_slots(kind)):
            return kind
    for kind, slots in UNCONVERTED.items():
        if present == slots:
            raise CheckpointError(f"the checkpoint holds MindSpore {kind} state ({', '.join(sorted(slots))}), which "
                                  f"msbridge does not convert (supported: {', '.join(SLOTS)}); pass --weights-only "
                                  f"to convert the weights alone")
    raise CheckpointError("cannot tell the MindSpore optimizer from the checkpoint's state entries "
                          f"({', '.join(sorted(state)[:6])}...): expected the slots of one of {', '.join(SLOTS)}")


def mindspore_state_to_torch_names(conversion: Conversion) -> TrainingState:
    """The training state a MindSpore checkpoint held, renamed like its weights were (MindSpore -> torch)."""
    state = conversion.training_state
    if "global_step" not in state:
        raise CheckpointError("the MindSpore checkpoint holds no optimizer state (no global_step): save the "
                              "training network (e.g. TrainOneStepCell) or the optimizer with save_checkpoint")
    kind = detect_optimizer(state)
    renames = {src: dst for src, dst, _ in conversion.renamed.mapped}
    renames.update({name: name for name in conversion.renamed.kept})
    weights = conversion.renamed.tensors
    result = TrainingState(kind, int(_scalar(state["global_step"])))
    for slot in all_slots(kind):
        if not any(name.startswith(f"{slot}.") for name in state):
            continue  # an optional slot this configuration lacks
        entries = {}
        for name, raw in state.items():
            if not name.startswith(f"{slot}."):
                continue
            param = name[len(slot) + 1:]
            if param not in renames:
                raise CheckpointError(f"optimizer slot {name!r} belongs to no converted weight")
            target = renames[param]
            entries[target] = raw.reshaped(weights[target].shape)
        result.slots[slot] = entries
    if kind == "Adam":
        result.beta1_power, result.beta2_power = _scalar(state["beta1_power"]), _scalar(state["beta2_power"])
    return result


def load_into_msbridge_optimizer(optimizer, model, state: TrainingState) -> None:
    """Fill msbridge's MindSpore-shaped optimizer (built on ``model``'s parameters) from ``state``.

    ``global_step`` is also the LR position: the optimizer reads a per-step LR list at it."""
    import torch

    kind = type(optimizer).__name__
    if kind != state.optimizer:
        raise CheckpointError(f"the checkpoint holds {state.optimizer} state, but the optimizer is a {kind}")
    by_id = {id(p): name for name, p in model.named_parameters()}
    names = [by_id.get(id(p)) for p in optimizer.parameters]
    for slot, attribute in all_slots(kind).items():
        if slot not in state.slots and slot in OPTIONAL_SLOTS.get(kind, {}) and not hasattr(optimizer, attribute):
            continue
        if slot not in state.slots or not hasattr(optimizer, attribute):
            raise CheckpointError(f"the checkpoint's {kind} state and the optimizer disagree about {slot!r} "
                                  f"(e.g. RMSProp's centered=)")
        tensors = getattr(optimizer, attribute)
        missing = [n for n in names if n not in state.slots[slot]]
        if missing:
            raise CheckpointError(f"no {slot} state for parameter(s) {', '.join(map(str, missing))}")
        with torch.no_grad():
            for name, tensor in zip(names, tensors):
                tensor.copy_(to_torch(state.slots[slot][name]).reshape(tensor.shape))
    optimizer.global_step.fill_(state.global_step)
    if kind == "Adam":
        optimizer.beta1_power = torch.tensor(state.beta1_power, dtype=torch.float32)
        optimizer.beta2_power = torch.tensor(state.beta2_power, dtype=torch.float32)


def load_into_torch_optimizer(optimizer, model, state: TrainingState) -> None:
    """Fill a ``torch.optim.SGD``/``Adam``/``AdamW`` built on ``model``'s parameters from ``state``."""
    import torch

    slots, torch_class, _ = SLOTS[state.optimizer]
    if torch_class is None:
        raise CheckpointError(f"the checkpoint holds MindSpore {state.optimizer} state: "
                              f"{NO_TORCH_COUNTERPART[state.optimizer]}")
    if type(optimizer).__name__ != torch_class:
        raise CheckpointError(f"the checkpoint holds MindSpore {state.optimizer} state, which maps to "
                              f"torch.optim.{torch_class}, not {type(optimizer).__name__}")
    by_id = {id(p): name for name, p in model.named_parameters()}
    sd = optimizer.state_dict()
    index = 0
    new_state = {}
    for group in optimizer.param_groups:
        for p in group["params"]:
            name = by_id[id(p)]
            entry = {key: to_torch(state.slots[slot][name]).clone() for slot, key in slots.items()}
            if torch_class != "SGD":
                entry["step"] = torch.tensor(float(state.global_step))
            new_state[index] = entry
            index += 1
    sd["state"] = new_state
    optimizer.load_state_dict(sd)


def resume_scheduler(scheduler, steps: int) -> None:
    """Bring a fresh torch scheduler to where ``steps`` scheduler steps would leave it (replayed, so
    chainable schedulers come out as in a real run); stepped per update, ``steps`` is ``global_step``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "scheduler.step() before optimizer.step()"
        for _ in range(steps):
            scheduler.step()


def torch_optimizer_to_mindspore(optimizer, model, global_step: int | None = None,
                                 ms_names: dict[str, str] | None = None) -> dict[str, RawTensor]:
    """A torch SGD(momentum)/Adam/AdamW's state as the entries MindSpore's Momentum/Adam/AdamWeightDecay
    saves (``<slot>.<MindSpore name>``, ``global_step``, Adam's beta powers, multiplied up in float32
    as MindSpore does). SGD keeps no step count: pass ``global_step`` (the updates so far, e.g. a
    per-step scheduler's ``last_epoch``). ``ms_names`` maps torch parameter names to MindSpore's."""
    import torch

    torch_class = type(optimizer).__name__
    kind = _TORCH_TO_MINDSPORE.get(torch_class)
    if kind is None:
        raise CheckpointError(f"no MindSpore counterpart for torch.optim.{torch_class} state "
                              f"(supported: {', '.join(_TORCH_TO_MINDSPORE)})")
    slots = SLOTS[kind][0]
    by_id = {id(p): name for name, p in model.named_parameters()}
    out: dict[str, RawTensor] = {}
    step = 0
    for group in optimizer.param_groups:
        for p in group["params"]:
            name = by_id[id(p)]
            ms_name = (ms_names or {}).get(name, name)
            entry = optimizer.state.get(p, {})
            for slot, key in slots.items():
                value = entry.get(key)
                value = torch.zeros_like(p, dtype=torch.float32) if value is None else value.reshape(p.shape)
                out[f"{slot}.{ms_name}"] = from_torch(value)
            if "step" in entry:
                step = int(entry["step"])
    if global_step is not None:
        step = global_step
    elif torch_class == "SGD":
        raise CheckpointError("torch SGD keeps no step count: pass global_step (the number of updates so far)")
    out["global_step"] = from_torch(torch.tensor([step], dtype=torch.int32))
    if kind == "Adam":
        group = optimizer.param_groups[0]
        for i, beta in enumerate(group["betas"], start=1):
            power, b = torch.tensor(1.0, dtype=torch.float32), torch.tensor(beta, dtype=torch.float32)
            for _ in range(step):
                power = power * b
            out[f"beta{i}_power"] = from_torch(power)
    return out


def torch_state_dict_for_mindspore(state_dict: dict, torch_param_names: list[str], net, conversion: Conversion) -> dict:
    """A torch optimizer's ``state_dict`` re-indexed for msbridge's torch-shaped optimizer on a MindSpore ``net``.

    torch indexes state by parameter position: ``torch_param_names`` is the order the torch optimizer
    was built with (``[n for n, _ in model.named_parameters()]``); the MindSpore optimizer must be built
    on ``net.trainable_params()``. Slot tensors are laid out like their weights (``conversion`` is the
    weights' torch -> MindSpore conversion)."""
    import torch

    to_ms = {src: dst for src, dst, _ in conversion.renamed.mapped}
    to_ms.update({name: name for name in conversion.renamed.kept})
    ms_index = {p.name: i for i, p in enumerate(net.trainable_params())}
    shapes = {p.name: tuple(p.shape) for p in net.trainable_params()}
    index_map = {}
    for i, name in enumerate(torch_param_names):
        ms_name = to_ms.get(name)
        if ms_name not in ms_index:
            raise CheckpointError(f"torch parameter {name!r} has no trainable MindSpore counterpart in the net")
        index_map[i] = (ms_index[ms_name], shapes[ms_name])
    state = {}
    for i, values in state_dict["state"].items():
        j, shape = index_map[i]
        state[j] = {k: (v.reshape(shape) if isinstance(v, torch.Tensor) and v.dim() > 0 else v)
                    for k, v in values.items()}
    groups = []
    for group in state_dict["param_groups"]:
        groups.append({**group, "params": sorted(index_map[i][0] for i in group["params"])})
    return {"state": state, "param_groups": groups}
