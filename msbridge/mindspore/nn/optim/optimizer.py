"""``mindspore.nn.Optimizer`` on torch parameters: the part every MindSpore optimizer shares.

What MindSpore 2.10 does before any update rule runs, and where it differs
from ``torch.optim``:

* **parameters**: a list of parameters, ``(name, parameter)`` pairs (from
  ``module.named_parameters()``) or group dicts with the keys ``params``,
  ``lr``, ``weight_decay``, ``grad_centralization``, plus one optional
  ``{'order_params': [...]}`` dict that fixes the parameter order. Unknown keys
  raise ``KeyError``; a parameter given twice raises ``RuntimeError``.
* **global_step**: an int32 tensor of shape ``[1]``. Each call reads the LR at
  the current step, *then* adds 1, then updates. ``get_lr()`` therefore returns
  the LR the *next* call will use.
* **weight decay** is L2 added to the gradient (``g + wd * w``) *before* the
  loss-scale division, and MindSpore multiplies ``wd`` by ``loss_scale`` first,
  so the net effect is unchanged by loss scaling. Without groups it skips every
  parameter whose name contains ``'beta'`` or ``'gamma'`` (MindSpore's norm
  layers); torch names (``weight``/``bias``) never match, and unnamed parameters
  always decay.
* **loss_scale**: gradients are multiplied by ``float32(1 / loss_scale)``.
* **grad_centralization** (groups only): ``g - mean(g, dims 1..)`` for grads
  with ndim >= 2 whose ``shape[1]`` is a multiple of 16. MindSpore runs it only
  on Ascend (its CPU build has no ``Centralization`` kernel), so this follows
  the documented formula and is not checked against the real framework.

Use it MindSpore's way, ``opt(grads)`` with a tuple of gradients in parameter
order, or torch's way, ``loss.backward(); opt.step()`` (reads ``p.grad``; a
missing grad counts as zeros, as MindSpore's autodiff gives zeros, so momentum
and weight decay still move it). MindSpore's ``net.trainable_params()`` is
``[p for p in model.parameters() if p.requires_grad]``: pass that, not every
parameter, when some are frozen.
"""
import contextlib
import copy
import ctypes
from collections.abc import Iterable

import torch

from msbridge.mindspore.nn.optim import _fused, _native, learning_rate as lr_forms
from msbridge.mindspore.nn.optim._checks import check_non_negative_float, check_positive_float, check_value_type

_GROUP_KEYS = ['params', 'lr', 'weight_decay', 'order_params', 'grad_centralization']
_NATIVE_VERDICTS = {}  # (optimizer class, configuration) -> the native kernel gave the eager path's bits


def _parameters_base_check(parameters, param_info):
    if parameters is None:
        raise ValueError(f"For 'Optimizer', the argument {param_info} can not be None.")
    if not isinstance(parameters, Iterable) or isinstance(parameters, torch.Tensor):
        raise TypeError(f"For 'Optimizer', the argument {param_info} must be Iterable type, "
                        f"but got {type(parameters)}.")
    parameters = list(parameters)
    if not parameters:
        raise ValueError(f"For 'Optimizer', the argument {param_info} must not be empty.")
    return parameters


def _is_param(item):
    return isinstance(item, torch.Tensor) or (
        isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], torch.Tensor))


def _split_names(items):
    """``[p, (name, p), ...]`` -> ``([p, ...], [name or None, ...])``."""
    params = [item[1] if isinstance(item, tuple) else item for item in items]
    names = [item[0] if isinstance(item, tuple) else None for item in items]
    return params, names


class _WeightDecaySchedule:
    """MindSpore's ``_WrappedWeightDecay``: ``schedule(step) * float32(loss_scale)``."""

    def __init__(self, schedule, loss_scale):
        self.schedule = schedule
        self.loss_scale = torch.tensor(loss_scale, dtype=torch.float32)

    def __call__(self, global_step):
        return lr_forms.ScheduleLR(self.schedule)(global_step) * self.loss_scale


class Optimizer:
    """Base of the MindSpore-shaped optimizers; subclasses implement ``_apply``."""

    def __init__(self, learning_rate, parameters, weight_decay=0.0, loss_scale=1.0):
        parameters = _parameters_base_check(parameters, "parameters")
        if not all(_is_param(x) for x in parameters) and not all(isinstance(x, dict) for x in parameters):
            raise TypeError("For 'Optimizer', all elements of the argument 'parameters' must be 'Parameter' or 'dict',"
                            " please check the 'parameters'.")
        if isinstance(loss_scale, int):
            loss_scale = float(loss_scale)
        check_value_type("loss_scale", loss_scale, [float], self.cls_name)
        check_positive_float(loss_scale, "loss_scale", self.cls_name)
        self.loss_scale = loss_scale
        self.dynamic_weight_decay = False
        self.dynamic_lr = False
        self.global_step = torch.zeros(1, dtype=torch.int32)
        self.is_group = isinstance(parameters[0], dict)
        self.is_group_lr = False
        self.is_group_params_ordered = False
        learning_rate, self.dynamic_lr = lr_forms.preprocess(learning_rate, self.cls_name)
        if self.is_group:
            self._init_group_params(parameters, learning_rate, weight_decay)
        else:
            params, self._names = _split_names(parameters)
            if len({id(p) for p in params}) != len(params):
                # MindSpore: cloning the state Parameters fails on the repeated name.
                raise ValueError("For 'Optimizer', a parameter is given twice; its optimizer state name "
                                 "would already exist. Please set a unique name for the parameter.")
            self.parameters = tuple(params)
            self._lr_source = lr_forms.build(learning_rate, convert_fixed=False)
            wd = self._preprocess_weight_decay(weight_decay)
            self._weight_decays = (wd,) * len(params)
            self.decay_flags = tuple(name is None or ('beta' not in name and 'gamma' not in name)
                                     for name in self._names)
            self.exec_weight_decay = self.dynamic_weight_decay or wd > 0
            self.grad_centralization_flags = (False,) * len(params)
        self.workspace = _fused.Workspace()  # scratch for the float32 fast paths
        self.reciprocal_scale = torch.tensor(1.0 / self.loss_scale, dtype=torch.float32)
        self.need_scale = self.loss_scale != 1.0

    @property
    def cls_name(self):
        return type(self).__name__

    # ----- construction -------------------------------------------------------------------------
    def _preprocess_weight_decay(self, weight_decay):
        if isinstance(weight_decay, (float, int)):
            weight_decay = float(weight_decay)
            check_non_negative_float(weight_decay, "weight_decay", self.cls_name)
            return weight_decay * self.loss_scale
        if lr_forms.is_schedule(weight_decay):
            self.dynamic_weight_decay = True
            return _WeightDecaySchedule(weight_decay, self.loss_scale)
        raise TypeError("For 'Optimizer', the argument 'Weight_decay' must be int, "
                        "float or Cell.but got {}".format(type(weight_decay)))

    def _check_group_params(self, groups):
        for group in groups:
            invalid_key = [k for k in group.keys() if k not in _GROUP_KEYS]
            if invalid_key:
                raise KeyError(f"For 'Optimizer', the key in group params must be one of in {_GROUP_KEYS}, "
                               f"but got {invalid_key}.")
            if 'order_params' in group:
                if len(group) > 1:
                    raise ValueError(f"For 'Optimizer', the order params dict in group parameters should only "
                                     f"include the 'order_params' key, but got {group.keys()}.")
                if not isinstance(group['order_params'], Iterable):
                    raise TypeError("For 'Optimizer', the value of 'order_params' in group parameters should "
                                    "be Iterable type, but got {}.".format(type(group['order_params'])))
                continue
            items = _parameters_base_check(group['params'], "group `params`")
            for index, item in enumerate(items):
                if not _is_param(item):
                    raise TypeError(f"For 'Optimizer', the element in group parameters must be Parameter type, "
                                    f"but got {type(item)} at index {index}.")

    def _init_group_params(self, groups, learning_rate, weight_decay):
        """``_parse_group_params`` + ``_init_group_params``: one LR/decay/centralization entry per parameter."""
        self._check_group_params(groups)
        is_table = isinstance(learning_rate, torch.Tensor) and learning_rate.ndim == 1
        table_size = learning_rate.shape[0] if is_table else 0
        group_lrs = {}
        for number, group in enumerate(groups):
            if 'order_params' in group:
                self.is_group_params_ordered = True
                continue
            if 'lr' in group:
                self.is_group_lr = True
                value, dynamic = lr_forms.preprocess(group['lr'], self.cls_name)
                self.dynamic_lr = self.dynamic_lr or dynamic
                group_lrs[number] = value
                if isinstance(value, torch.Tensor) and value.ndim == 1:
                    if table_size == 0:
                        table_size = value.shape[0]
                    elif value.shape[0] != table_size:
                        raise ValueError("For 'Optimizer', the Tensor type dynamic learning rate in group must be "
                                         "the same size as the argument 'learning_rate'.")
        convert = self.is_group_lr and self.dynamic_lr
        default_lr = lr_forms.build(learning_rate, convert)
        params, names, lrs, decays, centralize = [], [], [], [], []
        seen, order = set(), None
        for number, group in enumerate(groups):
            if 'order_params' in group:
                order = list(group['order_params'])
                continue
            group_params, group_names = _split_names(list(group['params']))
            lr = lr_forms.build(group_lrs[number], convert) if number in group_lrs else default_lr
            decay = self._preprocess_weight_decay(group.get('weight_decay', weight_decay))
            gc = group.get('grad_centralization', False)
            if not isinstance(gc, bool):
                raise TypeError("For 'Optimizer', the 'gradients_centralization' must be bool type, "
                                "but got {}.".format(type(gc)))
            for param, name in zip(group_params, group_names):
                if id(param) in seen:
                    raise RuntimeError(f"For 'Optimizer', the {name or 'given'} parameter already exists, it does not "
                                       f"support repeated setting. Please check whether the optimizer parameter "
                                       f"has been set multiple times.")
                seen.add(id(param))
                params.append(param)
                names.append(name)
                lrs.append(lr)
                decays.append(decay)
                centralize.append(gc)
        if self.is_group_params_ordered and order:
            params, names, lrs, decays, centralize = self._ordered(order, params, names, lrs, decays, centralize)
        self.parameters = tuple(params)
        self._names = names
        self._lr_sources = tuple(lrs)
        self._weight_decays = tuple(decays)
        self.decay_flags = tuple(callable(wd) or wd > 0 for wd in decays)
        self.exec_weight_decay = any(self.decay_flags)
        self.grad_centralization_flags = tuple(centralize)
        if not self.is_group_lr:
            self._lr_source = default_lr

    @staticmethod
    def _ordered(order, params, *columns):
        if len(order) != len(params):
            raise ValueError(f"For 'Optimizer',"
                             f"the length of order parameters must be the same as the length of group parameters, "
                             f"but got order parameters' length {len(order)}, "
                             f"group parameters' length {len(params)}.")
        order = [id(item[1] if isinstance(item, tuple) else item) for item in order]
        slots = [None] * len(params)
        for index, param in enumerate(params):
            if id(param) not in order:  # MindSpore: ``list.index`` of the missing name
                raise ValueError("a parameter of the groups is not in 'order_params'")
            slots[order.index(id(param))] = index
        return ([params[i] for i in slots],) + tuple([column[i] for i in slots] for column in columns)

    # ----- MindSpore's public surface ----------------------------------------------------------
    @property
    def learning_rate(self):
        """MindSpore's ``learning_rate``: a float32 0-d tensor (fixed), table or schedule; a tuple with group LRs."""
        if self.is_group_lr:
            return tuple(source.learning_rate for source in self._lr_sources)
        return self._lr_source.learning_rate

    def _step(self):
        return self.global_step.item()

    def get_lr(self):
        """The LR the next call will use (MindSpore: the LR at the current ``global_step``)."""
        step = self._step()
        if self.is_group_lr:
            if self.dynamic_lr:
                return tuple(source(step).reshape(()) for source in self._lr_sources)
            return tuple(source.learning_rate for source in self._lr_sources)
        lr = self._lr_source(step)
        return lr.reshape(()) if self.dynamic_lr else lr

    def get_lr_parameter(self, param):
        """The LR object of one parameter (or a list of them)."""
        param_list = param if isinstance(param, list) else [param]
        result = []
        for p in param_list:
            check_value_type("parameter", p, [torch.Tensor], self.cls_name)
            index = next((i for i, q in enumerate(self.parameters) if q is p), None)
            if index is None:
                raise ValueError("For 'get_lr_parameter', the parameter is not in optimizer, please check "
                                 "whether the argument 'param' is correct.")
            source = self._lr_sources[index] if self.is_group_lr else self._lr_source
            result.append(source.learning_rate)
        return result if isinstance(param, list) else result[0]

    def get_weight_decay(self):
        """Per-parameter weight decay at the current step (float32, already times ``loss_scale``)."""
        step = self._step()
        return tuple(wd(step) if callable(wd) else torch.tensor(wd, dtype=torch.float32)
                     for wd in self._weight_decays)

    # ----- the step ---------------------------------------------------------------------------
    def decay_weight(self, gradients):
        """``g + w * wd`` on parameters whose decay flag is set."""
        if not self.exec_weight_decay:
            return gradients
        return tuple(p * wd.to(p.dtype) + g if flag else g
                     for p, g, wd, flag in zip(self.parameters, gradients, self.get_weight_decay(), self.decay_flags))

    def gradients_centralization(self, gradients):
        """Ascend's ``Centralization``: subtract the mean over every dim but the first."""
        out = []
        for g, flag in zip(gradients, self.grad_centralization_flags):
            if flag and g.ndim >= 2 and g.shape[1] % 16 == 0:
                g = g - g.mean(dim=tuple(range(1, g.ndim)), keepdim=True)
            out.append(g)
        return tuple(out)

    def scale_grad(self, gradients):
        """Undo the loss scale: ``g * float32(1 / loss_scale)``."""
        if not self.need_scale:
            return gradients
        return tuple(g * self.reciprocal_scale.to(g.dtype) for g in gradients)

    def _preprocess_gradients(self, gradients):
        return self.scale_grad(self.gradients_centralization(self.decay_weight(gradients)))

    def _lrs_per_parameter(self):
        lr = self.get_lr()
        return tuple(lr) if self.is_group_lr else (lr,) * len(self.parameters)

    def __call__(self, gradients):
        """MindSpore's ``construct``: one update from a tuple of gradients in parameter order."""
        gradients = tuple(gradients)
        if len(gradients) != len(self.parameters):
            raise ValueError(f"For '{self.cls_name}', expected {len(self.parameters)} gradients (one per parameter, "
                             f"in parameter order), but got {len(gradients)}.")
        with torch.no_grad():
            gradients = tuple(g.detach() for g in gradients)
            gradients = self._preprocess_gradients(gradients)
            lrs = self._lrs_per_parameter()
            self.global_step += 1
            self._apply(gradients, lrs)
        return True

    def step(self, closure=None):
        """torch-style step: read ``p.grad`` (zeros where missing) and update once."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        self(tuple(p.grad if p.grad is not None else torch.zeros_like(p) for p in self.parameters))
        return loss

    def zero_grad(self, set_to_none=True):
        """torch-style: clear ``p.grad`` before the next backward."""
        for p in self.parameters:
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.zero_()

    def _apply(self, gradients, lrs):
        raise NotImplementedError

    def _scratch(self, gradients):
        """Per-parameter scratch tensor pairs when every parameter and gradient can take the float32 fast path."""
        views = self.workspace.views(self.parameters)
        if views is None or not all(g.dtype == torch.float32 and g.device.type == "cpu" and g.layout == torch.strided
                                    for g in gradients):
            return None
        return views

    # ----- the one-pass native kernels (``_native.py``) -------------------------------------------
    _state_names = ()  # attributes holding one state tensor per parameter, in the kernels' argument order
    _flag_state_names = ()  # more state the probe must copy, holding 0/1 flags (SGD's ``stat``)
    _use_native = None  # None: after the probe; False / True: forced (the probe's two sides)
    _native_spans = None  # (parameters' data pointers, state tuples, their checked spans or None, written tensors)

    def _native_config(self):
        """What selects a different kernel branch (flags, not values): part of the probe's cache key."""
        return ()

    def _native(self, gradients, lrs):
        """The compiled kernels when this step may run them: every tensor eligible, the probe passed."""
        if self._use_native is False:
            return None
        lib = _native.library()
        if lib is None:
            return None
        # Checked once per set of tensors: the parameters' storage and the state tuples (ours; replaced, not resized).
        pointers = tuple(p.data_ptr() for p in self.parameters)
        states = [getattr(self, n) for n in self._state_names + self._flag_state_names]
        cached = self._native_spans
        if cached is None or cached[0] != pointers or any(a is not b for a, b in zip(cached[1], states)):
            written = self._native_written()
            flags = [t for n in self._flag_state_names for t in getattr(self, n)]  # read by kernels, not written
            self._native_spans = cached = (pointers, states, _native.disjoint_spans(written + flags), written)
        spans = cached[2]
        if spans is None or not _native.gradients_fit(gradients, self.parameters, spans):
            return None
        if self._use_native is None:
            key = (type(self), self._native_config())
            if key not in _NATIVE_VERDICTS:
                _NATIVE_VERDICTS[key] = self._probe_native(lrs)
            if not _NATIVE_VERDICTS[key]:
                return None
        return lib

    def _native_written(self):
        """The tensors a kernel writes: the parameters, then each state."""
        return [*self.parameters, *(t for name in self._state_names for t in getattr(self, name))]

    def _written(self):
        """Every parameter and state tensor was written by a kernel: bump their versions as torch ops would."""
        _native.written(self._native_spans[3])

    def _probe_native(self, lrs):
        """Two steps on small random copies, eager path vs kernels; True when every bit agrees.

        The copies keep this optimizer's hyper-parameters and this step's LR;
        sizes 1037 and 7 cross the kernels' vector widths and tails, and the
        kernels run with every size split over threads (``split_everything``),
        so the check covers the threaded path as well.
        """
        gen = torch.Generator().manual_seed(0)
        sizes = (1037, 7)

        def randn(n):
            return torch.randn(n, generator=gen)
        params = [randn(n) for n in sizes]
        states = {name: [randn(n).abs_() for n in sizes] for name in self._state_names}
        states.update({name: [(randn(n) > 0).float() for n in sizes] for name in self._flag_state_names})
        grads = [[randn(n) for n in sizes] for _ in range(2)]
        for g in grads[0]:
            g[:3] = torch.tensor([0.0, -0.0, 1e-40])[:g.numel()]
        lrs = tuple(lrs[:1]) * len(sizes)
        results = []
        for use_native in (False, True):
            with _native.split_everything() if use_native else contextlib.nullcontext():
                results.append(self._probe_steps(use_native, params, states, grads, lrs))
            if results[-1] is None:
                return False
        return all(torch.equal(a.view(torch.int32), b.view(torch.int32)) for a, b in zip(*results))

    def _probe_steps(self, use_native, params, states, grads, lrs):
        """The probe's two steps on fresh copies, by the kernels or the eager path; None if they raised."""
        probe = copy.copy(self)
        probe._use_native = use_native
        probe.workspace = _fused.Workspace()
        probe._stat_zeroed = {}
        probe._native_spans = None
        probe.parameters = tuple(p.clone() for p in params)
        for name, values in states.items():
            setattr(probe, name, tuple(v.clone() for v in values))
        probe.decay_flags = (True, False)
        if hasattr(self, "_decays"):
            probe._decays = self._decays[:1] * len(params)
        try:
            for step_grads in grads:
                probe._apply(tuple(step_grads), lrs)
        except (RuntimeError, OSError, ValueError, TypeError, ctypes.ArgumentError):
            return None
        return [*probe.parameters, *(t for name in self._state_names for t in getattr(probe, name))]

    @staticmethod
    def _floats(lrs):
        """The per-parameter LRs as Python floats, each distinct LR tensor read once."""
        seen = {}
        return [seen[id(lr)] if id(lr) in seen else seen.setdefault(id(lr), lr.item()) for lr in lrs]

    @staticmethod
    def _zeros_like(params, value=0.0):
        """One state tensor per parameter, as MindSpore's ``parameters.clone(init=...)``."""
        return tuple(torch.full_like(p, value, dtype=torch.float32) for p in params)
