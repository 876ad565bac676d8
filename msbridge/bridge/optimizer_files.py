"""Optimizer state inside checkpoint files, with no live optimizer: what ``msbridge ckpt`` carries.

* MindSpore -> torch: the slots and ``global_step`` that ``save_checkpoint(train_net)`` writes become
  a torch training dict ``{"model": state_dict, "optimizer": optimizer.state_dict(), "global_step": N}``
  (plus ``"learning_rates"``, the per-step list, when the run used one). torch's ``load_state_dict``
  takes the param group's hyperparameters from the file; those MindSpore does not save (betas, eps,
  weight_decay) are MindSpore's constructor defaults, and the summary says so.
* torch -> MindSpore: a dict ``{"model": ..., "optimizer": optimizer.state_dict(), ...}`` becomes the
  ``<slot>.<name>``, ``global_step`` (and Adam's ``beta1_power``/``beta2_power``) entries MindSpore's
  optimizer loads with ``load_param_into_net(optimizer, params)``.

torch numbers an optimizer's parameters by position: without ``param_names`` in the groups, they are
the state_dict's parameters in order (buffers left out), checked against the state's shapes.
"""
from __future__ import annotations

from msbridge.bridge.checkpoint_tensor import CheckpointError, RawTensor, from_torch, to_torch
from msbridge.bridge.optimizer_state import (
    NO_TORCH_COUNTERPART, SLOTS, TrainingState, _TORCH_TO_MINDSPORE, mindspore_state_to_torch_names,
)

OPTIMIZER_KEYS = ("optimizer", "optimizer_state_dict", "optim", "opt")
STEP_KEYS = ("global_step", "step", "iteration", "iter")
SCHEDULER_KEYS = ("scheduler", "lr_scheduler", "scheduler_state_dict")
TORCH_BUFFER_LEAVES = ("running_mean", "running_var", "num_batches_tracked")
# hyperparameters a MindSpore checkpoint does not hold: the MindSpore constructors' defaults
# (mapping_tables/optimizers.toml), in torch's names
MINDSPORE_DEFAULTS = {
    "Momentum": {"dampening": 0, "nesterov": False, "weight_decay": 0.0},
    "Adam": {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0},
    "Adagrad": {"initial_accumulator_value": 0.1, "weight_decay": 0.0},
}
# torch state keys -> torch optimizer, for telling the optimizer from a state_dict
_TORCH_SIGNATURES = {"momentum_buffer": "SGD", "exp_avg": "Adam", "sum": "Adagrad", "square_avg": "RMSprop"}
NAMES = {**{k: k for k in SLOTS}, **{k.lower(): v for k, v in _TORCH_TO_MINDSPORE.items()},
         **{k.lower(): k for k in SLOTS}, "sgd": "Momentum", "rmsprop": "RMSProp"}


def optimizer_name(text: str) -> str:
    """``--optimizer``: a MindSpore or torch optimizer name -> the MindSpore one (a SLOTS key)."""
    kind = NAMES.get(text) or NAMES.get(text.lower())
    if kind is None:
        raise CheckpointError(f"--optimizer {text!r}: expected one of {', '.join(SLOTS)} "
                              f"(or torch's {', '.join(_TORCH_TO_MINDSPORE)})")
    return kind


def _values(raw: RawTensor) -> list[float]:
    return to_torch(raw).reshape(-1).tolist()


def to_torch_training_dict(conversion, weights: dict, model=None, optimizer: str | None = None) -> tuple[dict, list]:
    """The training dict for a MindSpore checkpoint's state (``conversion`` converted its weights), and notes."""
    import torch

    state: TrainingState = mindspore_state_to_torch_names(conversion)
    if optimizer is not None and optimizer_name(optimizer) != state.optimizer:
        raise CheckpointError(f"--optimizer {optimizer} contradicts the checkpoint, which holds MindSpore "
                              f"{state.optimizer} state")
    slots, torch_class, _ = SLOTS[state.optimizer]
    if torch_class is None:
        raise CheckpointError(f"the checkpoint holds MindSpore {state.optimizer} state: "
                              f"{NO_TORCH_COUNTERPART[state.optimizer]}; pass --weights-only to convert the "
                              f"weights alone")
    # torch numbers parameters in model order; MindSpore writes the slots in its parameter order
    order = [n for n, _ in model.named_parameters()] if model is not None else list(next(iter(state.slots.values())))
    lacking = [n for n in order if any(n not in entries for entries in state.slots.values())]
    if lacking:
        raise CheckpointError(f"no {state.optimizer} state for parameter(s) {', '.join(lacking[:6])} "
                              f"(frozen in the MindSpore run?)")
    raw = conversion.training_state
    lrs = _values(raw["learning_rate"]) if "learning_rate" in raw else [0.001]
    lr = lrs[min(state.global_step, len(lrs) - 1)]
    hyper = dict(MINDSPORE_DEFAULTS[state.optimizer])
    if "momentum" in raw:
        hyper["momentum"] = _values(raw["momentum"])[0]
    params = [torch.zeros(weights[n].shape, requires_grad=True) for n in order]
    group = getattr(torch.optim, torch_class)(params, lr=lr, **hyper).state_dict()["param_groups"][0]
    entries = {}
    for i, name in enumerate(order):
        entry = {key: to_torch(state.slots[slot][name]).clone() for slot, key in slots.items()}
        if torch_class != "SGD":
            entry["step"] = torch.tensor(float(state.global_step))
        entries[i] = entry
    out = {"optimizer": {"state": entries, "param_groups": [group]}, "global_step": state.global_step}
    if len(lrs) > 1:
        out["learning_rates"] = lrs
    unsaved = sorted(set(hyper) - {"momentum"})
    notes = [f"optimizer: MindSpore {state.optimizer} -> torch.optim.{torch_class} state at global_step "
             f"{state.global_step} (lr {lr:g}; {', '.join(unsaved)} are MindSpore's defaults: the file does not hold "
             f"them, and torch's load_state_dict sets them)"]
    return out, notes


def find_optimizer_dict(extra: dict) -> tuple[str, dict] | None:
    for key in OPTIMIZER_KEYS:
        value = extra.get(key)
        if isinstance(value, dict) and isinstance(value.get("state"), dict) and "param_groups" in value:
            return key, value
    return None


def _torch_kind(opt_sd: dict, optimizer: str | None) -> str:
    keys = {k for entry in opt_sd["state"].values() for k in entry}
    found = {_TORCH_SIGNATURES[k] for k in keys if k in _TORCH_SIGNATURES}
    groups = opt_sd["param_groups"]
    if found == {"RMSprop"}:
        raise CheckpointError("the file holds torch.optim.RMSprop state: MindSpore's RMSProp is a different algorithm "
                              "(row optim.RMSProp, exactness impossible: it starts the mean square at ones and adds "
                              "epsilon inside the square root), so the run cannot continue on it; pass --weights-only")
    if "max_exp_avg_sq" in keys:
        raise CheckpointError("the file holds torch Adam(amsgrad=True) state (max_exp_avg_sq): MindSpore's Adam has no "
                              "amsgrad; pass --weights-only")
    if found == {"Adam"}:
        flags = {g.get("decoupled_weight_decay") for g in groups}
        if flags == {True}:
            found = {"AdamW"}
        elif flags != {False}:
            if optimizer is None:
                raise CheckpointError("the file's Adam-style state (exp_avg, exp_avg_sq) does not say Adam or AdamW "
                                      "(no decoupled_weight_decay in its param groups): pass --optimizer Adam or AdamW")
            return optimizer_name(optimizer)
    if len(found) != 1:
        raise CheckpointError(f"cannot tell the torch optimizer from its state keys "
                              f"({', '.join(sorted(keys)) or 'none'}); supported: {', '.join(_TORCH_TO_MINDSPORE)}")
    torch_class = found.pop()
    if torch_class == "AdamW":
        raise CheckpointError("the file holds torch.optim.AdamW state: MindSpore's AdamWeightDecay is a different "
                              "algorithm (row optim.AdamWeightDecay, exactness impossible: it applies no bias "
                              "correction), so the run cannot continue on it; pass --weights-only")
    kind = _TORCH_TO_MINDSPORE[torch_class]
    if optimizer is not None and optimizer_name(optimizer) != kind:
        raise CheckpointError(f"--optimizer {optimizer} contradicts the file, which holds the state of torch's "
                              f"counterpart of MindSpore {kind}")
    if kind == "Momentum" and any(g.get("dampening", 0) != 0 for g in groups):
        raise CheckpointError("torch SGD with dampening != 0 has no MindSpore Momentum counterpart; "
                              "pass --weights-only")
    return kind


def _positions(opt_sd: dict, state_dict_names: list[str], dtypes: dict) -> list[str]:
    """torch parameter names by the optimizer's positions."""
    groups = opt_sd["param_groups"]
    if all("param_names" in g for g in groups):
        return [n for g in groups for n in g["param_names"]]
    indices = [i for g in groups for i in g["params"]]
    candidates = [n for n in state_dict_names if n.rpartition(".")[2] not in TORCH_BUFFER_LEAVES
                  and dtypes[n].startswith(("float", "bf"))]
    if sorted(indices) != list(range(len(candidates))):
        raise CheckpointError(f"the optimizer holds {len(indices)} parameters but the model state_dict "
                              f"{len(candidates)} trainable-looking ones: cannot tell which is which (build the "
                              f"optimizer on model.named_parameters() so torch saves param_names, or on all parameters)")
    return [candidates[i] for i in indices]


def to_mindspore_entries(extra: dict, weights: dict, renames: dict[str, str], converted: dict,
                         optimizer: str | None = None, global_step: int | None = None
                         ) -> tuple[dict[str, RawTensor], list[str]]:
    """MindSpore optimizer entries from a torch training dict's optimizer state, and notes.

    ``weights`` are the torch tensors (state_dict order), ``renames`` torch name -> MindSpore name,
    ``converted`` the MindSpore weights (their shapes lay the slots out)."""
    import torch

    found = find_optimizer_dict(extra)
    if found is None:
        return {}, []
    key, opt_sd = found
    if not opt_sd["state"]:
        return {}, [f"{key!r} holds no optimizer state yet (no step taken): left out"]
    kind = _torch_kind(opt_sd, optimizer)
    slots = SLOTS[kind][0]
    names = _positions(opt_sd, list(weights), {n: w.dtype for n, w in weights.items()})
    indices = [i for g in opt_sd["param_groups"] for i in g["params"]]
    out: dict[str, RawTensor] = {}
    step = None
    for index, name in zip(indices, names):
        entry = opt_sd["state"].get(index, {})
        for slot, state_key in slots.items():
            value = entry.get(state_key)
            if value is None:
                raise CheckpointError(f"the optimizer state of {name!r} has no {state_key!r}")
            if tuple(value.shape) != weights[name].shape:
                raise CheckpointError(f"the optimizer's {state_key} at position {index} has shape {tuple(value.shape)} "
                                      f"but {name!r} has {weights[name].shape}: the positions do not match the model's")
            ms_name = renames[name]
            out[f"{slot}.{ms_name}"] = from_torch(value.reshape(converted[ms_name].shape).contiguous())
        if "step" in entry:
            step = int(entry["step"])
    how = "the optimizer's step"
    if global_step is not None:
        step, how = global_step, "--global-step"
    elif step is None:
        step, how = _step_from(extra)
    out["global_step"] = from_torch(torch.tensor([step], dtype=torch.int32))
    if kind == "Adam":
        for i, beta in enumerate(opt_sd["param_groups"][0]["betas"], start=1):
            power, b = torch.tensor(1.0, dtype=torch.float32), torch.tensor(beta, dtype=torch.float32)
            for _ in range(step):  # multiplied up step by step in float32, as MindSpore does
                power = power * b
            out[f"beta{i}_power"] = from_torch(power)
    return out, [f"optimizer: torch {key!r} -> MindSpore {kind} state, global_step {step} (from {how})"]


def _step_from(extra: dict) -> tuple[int, str]:
    for key in STEP_KEYS:
        if isinstance(extra.get(key), int):
            return extra[key], f"the file's {key!r}"
    for key in SCHEDULER_KEYS:
        value = extra.get(key)
        if isinstance(value, dict) and isinstance(value.get("last_epoch"), int):
            return value["last_epoch"], f"the file's {key}['last_epoch']: right for a scheduler stepped per update"
    raise CheckpointError("torch SGD keeps no step count and the file holds no 'global_step' nor a scheduler's "
                          "last_epoch: pass --global-step N (the number of updates so far; the LR list's position)")
