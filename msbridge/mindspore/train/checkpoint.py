"""``ModelCheckpoint`` + ``CheckpointConfig``: MindSpore's file names and rotation, MindSpore ``.ckpt`` files.

When a file is saved, how it is named (``{prefix}-{epoch}_{step in epoch}.ckpt``,
``prefix_1`` when the folder already holds that prefix), which old files
``keep_checkpoint_max`` deletes and the save at the end of training follow
MindSpore 2.10. Each file is a real MindSpore checkpoint of the torch
network's weights under MindSpore's parameter names (through msbridge's
checkpoint converter), so ``mindspore.load_checkpoint`` reads it, plus the
optimizer state MindSpore saves with a training network: the slots
``msbridge.bridge.optimizer_state`` knows (Momentum ``moments.*``, Adam
``moment1/2.*`` and beta powers, AdamWeightDecay ``adam_m/v.*``; torch
SGD/Adam/AdamW alike) and ``global_step``; for msbridge's optimizers also a
fixed ``learning_rate`` and ``momentum``. Other optimizers: weights and
``global_step`` only. Time-based saving/keeping, ``append_info``,
encryption, ``async_save`` and the ``safetensors`` format are not supported.
"""
import os

from msbridge.mindspore.train.callback import Callback


def _non_negative_int(name, value):
    if value is None:
        return value
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"The integer value must be non-negative int, but got {value!r} for '{name}'.")
    return value


class CheckpointConfig:
    """When to save and how many files to keep."""

    def __init__(self, save_checkpoint_steps=1, save_checkpoint_seconds=0, keep_checkpoint_max=5,
                 keep_checkpoint_per_n_minutes=0, integrated_save=True, async_save=False, saved_network=None,
                 append_info=None, enc_key=None, enc_mode='AES-GCM', exception_save=False, crc_check=False,
                 remove_redundancy=False, format="ckpt", **kwargs):
        save_checkpoint_steps = _non_negative_int("save_checkpoint_steps", save_checkpoint_steps)
        keep_checkpoint_max = _non_negative_int("keep_checkpoint_max", keep_checkpoint_max)
        if not save_checkpoint_steps and not save_checkpoint_seconds and \
                not keep_checkpoint_max and not keep_checkpoint_per_n_minutes:
            raise ValueError("For 'CheckpointConfig', the input arguments 'save_checkpoint_steps', "
                             "'save_checkpoint_seconds', "
                             "'keep_checkpoint_max' and 'keep_checkpoint_per_n_minutes' can't be all None or 0.")
        unsupported = [name for name, value in (("save_checkpoint_seconds", save_checkpoint_seconds and not
                                                 save_checkpoint_steps),
                                                ("keep_checkpoint_per_n_minutes", keep_checkpoint_per_n_minutes and
                                                 not keep_checkpoint_max),
                                                ("append_info", append_info), ("enc_key", enc_key),
                                                ("async_save", async_save), ("format", format != "ckpt"))
                       if value]
        if unsupported:
            raise NotImplementedError(f"msbridge: CheckpointConfig({', '.join(unsupported)}=...) is not supported.")
        self.save_checkpoint_steps = save_checkpoint_steps
        self.keep_checkpoint_max = keep_checkpoint_max if keep_checkpoint_max else 1
        self.saved_network = saved_network
        self.format = format


class ModelCheckpoint(Callback):
    """Saves the network every ``save_checkpoint_steps`` steps and once more at the end of training."""

    def __init__(self, prefix='CKP', directory=None, config=None):
        super().__init__()
        if not isinstance(prefix, str) or prefix.find('/') >= 0:
            raise ValueError("For 'ModelCheckpoint', the argument 'prefix' for checkpoint file name is invalid, it "
                             "must be callable or string that does not contain '/', but got {}.".format(prefix))
        if config is None:
            config = CheckpointConfig()
        elif not isinstance(config, CheckpointConfig):
            raise TypeError("For 'ModelCheckpoint', the type of argument 'config' should be 'CheckpointConfig', "
                            "but got {}.".format(type(config)))
        self._config = config
        self._directory = os.path.realpath(directory) if directory is not None else os.getcwd()
        os.makedirs(self._directory, exist_ok=True)
        self._prefix = _unused_prefix(self._directory, prefix)
        self._last_triggered_step = 0
        self._latest_ckpt_file_name = ""

    @property
    def latest_ckpt_file_name(self):
        return self._latest_ckpt_file_name

    def step_end(self, run_context):
        self._save_ckpt(run_context.original_args())

    def end(self, run_context):
        self._save_ckpt(run_context.original_args(), force_to_save=True)

    def _save_ckpt(self, cb_params, force_to_save=False):
        if cb_params.cur_step_num == self._last_triggered_step:
            return
        steps = self._config.save_checkpoint_steps
        if not (force_to_save or (steps and cb_params.cur_step_num >= self._last_triggered_step + steps)):
            return
        step_in_epoch = int((cb_params.cur_step_num - 1) % cb_params.batch_num + 1)
        name = f"{self._prefix}-{cb_params.cur_epoch_num}_{step_in_epoch}.{self._config.format}"
        existing = self._existing_files()
        if 0 < self._config.keep_checkpoint_max <= len(existing):
            os.remove(sorted(existing, key=os.path.getmtime)[0])
        self._last_triggered_step = cb_params.cur_step_num
        path = os.path.join(self._directory, name)
        network = self._config.saved_network if self._config.saved_network is not None else cb_params.network
        save_checkpoint(network, path, cb_params.get("optimizer"), cb_params.cur_step_num)
        self._latest_ckpt_file_name = path
        cb_params.last_save_ckpt_step = cb_params.cur_step_num
        cb_params.latest_ckpt_file = path

    def _existing_files(self):
        """MindSpore's ``CheckpointManager.update_ckpoint_filelist``: this prefix's numbered files."""
        suffix = f".{self._config.format}"
        found = []
        for filename in os.listdir(self._directory):
            if filename.endswith(suffix) and filename.startswith(self._prefix + "-"):
                middle = filename[len(self._prefix):-len(suffix)]
                if not any(char.isalpha() for char in middle):
                    found.append(os.path.join(self._directory, filename))
        return found


def _unused_prefix(directory, prefix):
    """MindSpore's ``_chg_ckpt_file_name_if_same_exist``: ``prefix_N`` when files with ``prefix`` exist."""
    suffix_num = 0
    for filename in os.listdir(directory):
        ext = os.path.splitext(filename)[-1]
        if ext not in (".ckpt", ".safetensors") or filename.endswith("_breakpoint.ckpt"):
            continue
        if filename.find(prefix) == 0 and len(filename) > len(prefix) and not filename[len(prefix)].isalpha():
            index = filename[len(prefix):].find("-")
            if index == 0:
                suffix_num = max(suffix_num, 1)
            elif index != -1:
                number = filename[len(prefix) + 1:len(prefix) + index]
                if number.isdigit():
                    suffix_num = max(suffix_num, int(number) + 1)
    return f"{prefix}_{suffix_num}" if suffix_num else prefix


def save_checkpoint(network, path, optimizer=None, global_step=0):
    """A torch module's weights (and ``optimizer``'s state) as a MindSpore ``.ckpt`` file, MindSpore's names."""
    from msbridge.bridge import checkpoint_io
    from msbridge.bridge.checkpoint import convert_tensors
    from msbridge.bridge.checkpoint_tensor import from_torch

    tensors = {name: from_torch(value) for name, value in network.state_dict().items()}
    state = _optimizer_state(optimizer, network, global_step)
    # per-parameter slots are renamed like their weights; the scalars (global_step, ...) keep their names
    scalars = {name: raw for name, raw in state.items() if name in _SCALARS}
    tensors.update({name: raw for name, raw in state.items() if name not in _SCALARS})
    converted = convert_tensors(tensors, "torch").renamed.tensors
    checkpoint_io.write_checkpoint(path, {**converted, **scalars}, "mindspore")


_SCALARS = ("global_step", "learning_rate", "momentum", "beta1_power", "beta2_power")


def _optimizer_state(optimizer, network, global_step):
    """``{slot.torch_name: tensor, 'global_step': ..., ...}``: renamed with the weights afterwards."""
    import torch

    from msbridge.bridge.checkpoint_tensor import from_torch
    from msbridge.bridge.optimizer_state import SLOTS, torch_optimizer_to_mindspore

    if optimizer is None:
        return {}
    if isinstance(optimizer, torch.optim.Optimizer):
        if type(optimizer).__name__ in ("SGD", "Adam", "AdamW"):
            return torch_optimizer_to_mindspore(optimizer, network, global_step=global_step)
        return {"global_step": from_torch(torch.tensor([global_step], dtype=torch.int32))}
    names = {id(p): name for name, p in network.named_parameters()}
    out = {"global_step": from_torch(optimizer.global_step)}
    for slot, attribute in SLOTS.get(type(optimizer).__name__, ({}, None, {}))[2].items():
        for param, value in zip(optimizer.parameters, getattr(optimizer, attribute)):
            if id(param) in names:
                out[f"{slot}.{names[id(param)]}"] = from_torch(value)
    for name in ("beta1_power", "beta2_power", "momentum"):
        value = getattr(optimizer, name, None)
        if value is not None:
            out[name] = from_torch(torch.as_tensor(value, dtype=torch.float32).reshape(()))
    learning_rate = getattr(optimizer, "learning_rate", None)
    if isinstance(learning_rate, torch.Tensor) and learning_rate.ndim == 0:
        out["learning_rate"] = from_torch(learning_rate)
    return out
