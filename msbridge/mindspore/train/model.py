"""``mindspore.train.Model`` driving a torch module: the loop, callbacks and metrics of MindSpore 2.10.

The loop is MindSpore's non-sink ``_train_process`` (what it runs on CPU):
hooks in the same order, ``cur_step_num`` counting across epochs,
``net_outputs`` the step's loss (a detached 0-d torch tensor). One step is
``loss_fn(network(data), label)`` (or ``network(*row)`` without ``loss_fn``),
gradients of the optimizer's parameters, one optimizer update. The optimizer
is a ``torch.optim.Optimizer`` or one of msbridge's MindSpore-shaped ones
(``msbridge.mindspore.nn.Momentum``...), which give MindSpore's numbers.

``fit`` evaluates after the epochs ``valid_frequency`` selects, before
``on_train_epoch_end``, calling only user callbacks and ``TimeMonitor`` (the
callbacks MindSpore ships are skipped, by class name, as MindSpore does).
Its ``eval_results["eval_loss"]`` is the *last* validation batch's loss, not
the mean: MindSpore 2.10 builds a new ``Loss`` metric at every step (measured).

``loss_scale_manager``: ``FixedLossScaleManager(scale, drop_overflow_update=False)``,
the one MindSpore's CPU build runs (see ``loss_scale_manager.py``).

Not here: sink mode (CPU MindSpore falls back to non-sink too, as we do),
``amp_level`` other than ``"O0"``.
"""
import copy

import torch

from msbridge.mindspore.communication.management import get_group_size
from msbridge.mindspore.parallel_context import get_auto_parallel_context
from msbridge.mindspore.train.callback import CallbackList, InternalCallbackParam, RunContext, as_callback_list
from msbridge.mindspore.train.metrics import Loss, get_metrics
from msbridge.mindspore.train.step import apply_gradients, is_ms_optimizer


def _rows(dataset):
    """Each step's inputs: our datasets' tuple iterator, or any iterable of tuples (a torch ``DataLoader``)."""
    if hasattr(dataset, "create_tuple_iterator"):
        return dataset.create_tuple_iterator()
    return iter(dataset)


def _size(dataset):
    return dataset.get_dataset_size() if hasattr(dataset, "get_dataset_size") else len(dataset)


# ``mindspore.train.callback.__all__``: fit's evaluation skips these (except TimeMonitor), by class name.
_INTERNAL_CALLBACKS = {
    'Callback', 'LossMonitor', 'TimeMonitor', 'ModelCheckpoint', 'FlopsUtilizationCollector', 'SummaryCollector',
    'CheckpointConfig', 'RunContext', 'LearningRateScheduler', 'SummaryLandscape', 'History', 'LambdaCallback',
    'ReduceLROnPlateau', 'EarlyStopping', 'OnRequestExit', 'BackupAndRestore', 'TrainFaultTolerance'}


def _as_tuple(row):
    if isinstance(row, torch.Tensor):
        return (row,)
    return tuple(row)


class Model:
    """High-level train/eval/predict driver (MindSpore's API, torch underneath)."""

    def __init__(self, network, loss_fn=None, optimizer=None, metrics=None, eval_network=None, eval_indexes=None,
                 amp_level="O0", boost_level="O0", **kwargs):
        if amp_level not in ("O0", None):
            raise NotImplementedError(f"msbridge: Model(amp_level={amp_level!r}) is not supported; use "
                                      f"torch.autocast in the network, or amp_level='O0'.")
        self._loss_scale_manager = kwargs.get("loss_scale_manager")
        self._sens = None
        if self._loss_scale_manager is not None:
            if optimizer is None:
                raise ValueError("The argument 'optimizer' can not be None when set 'loss_scale_manager'.")
            if self._loss_scale_manager.get_update_cell() is not None:
                raise ValueError("Only `loss_scale_manager=None` or "
                                 "`loss_scale_manager=FixedLossScaleManager(drop_overflow_update=False)`"
                                 "are supported on device `CPU`. ")
            self._sens = self._loss_scale_manager.get_loss_scale()
        if optimizer is not None and not (is_ms_optimizer(optimizer) or isinstance(optimizer, torch.optim.Optimizer)):
            raise TypeError(f"For 'Model', the 'optimizer' must be an msbridge.mindspore.nn optimizer or a "
                            f"torch.optim.Optimizer, but got {type(optimizer)}.")
        self._network = network
        self._loss_fn = loss_fn
        self._optimizer = optimizer
        self._metric_fns = get_metrics(metrics)
        self._eval_network, self._eval_indexes = None, None
        if self._metric_fns:
            if eval_network is not None:
                if eval_indexes is not None and not (isinstance(eval_indexes, list) and len(eval_indexes) == 3):
                    raise ValueError("The argument 'eval_indexes' must be a list or None. If 'eval_indexes' is a "
                                     f"list, length of it must be three. But got 'eval_indexes' {eval_indexes}")
                self._eval_network, self._eval_indexes = eval_network, eval_indexes
            elif loss_fn is None:
                raise ValueError("If `metrics` is set, `eval_network` must not be None. Do not set `metrics` if "
                                 "you don't want an evaluation.")
            else:
                self._eval_network, self._eval_indexes = self._with_eval, [0, 1, 2]

    # ----- networks ------------------------------------------------------------------------------
    @property
    def train_network(self):
        return self._network

    @property
    def predict_network(self):
        return self._network

    @property
    def eval_network(self):
        return self._eval_network

    def _with_eval(self, data, label):
        """MindSpore's ``WithEvalCell``: ``(loss, outputs, label)``."""
        outputs = self._network(data)
        return self._loss_fn(outputs, label), outputs, label

    def _train_step(self, row):
        self._network.train()
        loss = self._loss_fn(self._network(row[0]), row[1]) if self._loss_fn is not None else self._network(*row)
        if self._optimizer is None:
            return loss.detach()
        # MindSpore's TrainOneStepCell seeds backprop with ``sens`` (the loss scale; 1 without a manager)
        apply_gradients(loss, self._optimizer, self._sens)
        return loss.detach()

    # ----- train ---------------------------------------------------------------------------------
    def train(self, epoch, train_dataset, callbacks=None, dataset_sink_mode=False, sink_size=-1, initial_epoch=0):
        """Train ``epoch - initial_epoch`` epochs. ``dataset_sink_mode`` is accepted and ignored (MindSpore on CPU
        ignores it too)."""
        if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch <= 0:
            raise ValueError(f"For 'Model.train', the argument 'epoch' must be a positive int, but got {epoch}.")
        self._train(epoch, train_dataset, callbacks, dataset_sink_mode, sink_size, initial_epoch, (None, 1))

    def fit(self, epoch, train_dataset, valid_dataset=None, valid_frequency=1, callbacks=None,
            dataset_sink_mode=False, valid_dataset_sink_mode=False, sink_size=-1, initial_epoch=0):
        """``train`` with an evaluation on ``valid_dataset`` every ``valid_frequency`` epochs (an int, or a list of
        epoch numbers)."""
        if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch <= 0:
            raise ValueError(f"For 'Model.fit', the argument 'epoch' must be a positive int, but got {epoch}.")
        if initial_epoch >= epoch:
            raise ValueError(f"For 'Model.fit', the parameter 'epoch' must bigger than parameter 'initial_epoch',"
                             f" but got the parameter 'epoch' is {epoch}, 'initial_epoch' is {initial_epoch}.")
        if not isinstance(valid_frequency, (int, list)):
            raise TypeError(f"For 'Model.fit', the type of 'valid_frequency' must be a list or an integer, but got "
                            f"type {type(valid_frequency)}.")
        if valid_dataset and not self._metric_fns:
            raise ValueError("For 'Model.fit', if valid_dataset is not None, the model argument 'metrics' can not be"
                             "None or empty, you should set the argument 'metrics' for model.")
        self._train(epoch, train_dataset, callbacks, dataset_sink_mode, sink_size, initial_epoch,
                    (valid_dataset, valid_frequency))

    def _train(self, epoch, train_dataset, callbacks, dataset_sink_mode, sink_size, initial_epoch, valid_infos):
        cb_params = InternalCallbackParam()
        cb_params.cur_step_num = 0
        cb_params.train_network = self._network
        cb_params.epoch_num = epoch - initial_epoch
        cb_params.batch_num = sink_size if dataset_sink_mode and sink_size > 0 else _size(train_dataset)
        cb_params.mode = "train"
        cb_params.loss_fn = self._loss_fn
        cb_params.optimizer = self._optimizer
        cb_params.parallel_mode = get_auto_parallel_context("parallel_mode")
        cb_params.device_number = get_group_size()
        cb_params.train_dataset = train_dataset
        cb_params.list_callback = as_callback_list(callbacks)
        cb_params.train_dataset_element = None
        cb_params.network = self._network
        cb_params.last_save_ckpt_step = None
        cb_params.latest_ckpt_file = None
        cb_params.loss_scale_mananger = self._loss_scale_manager  # sic: MindSpore's key
        cb_params.initial_step = 0
        cb_params.dataset_sink_mode = False
        hooks = CallbackList(cb_params.list_callback)
        run_context = RunContext(cb_params)
        hooks.on_train_begin(run_context)
        for i in range(initial_epoch, epoch):
            cb_params.cur_epoch_num = i + 1
            hooks.on_train_epoch_begin(run_context)
            for row in _rows(train_dataset):
                row = _as_tuple(row)
                if self._loss_fn is not None and len(row) != 2:
                    raise ValueError("When 'loss_fn' is not None, 'train_dataset' should return two elements, but "
                                     "got {}, please check the number of elements returned by 'train_dataset'"
                                     .format(len(row)))
                cb_params.cur_step_num += 1
                cb_params.train_dataset_element = row
                hooks.on_train_step_begin(run_context)
                cb_params.net_outputs = self._train_step(row)
                hooks.on_train_step_end(run_context)
                if run_context.get_stop_requested():
                    break
            self._eval_during_train(valid_infos, cb_params, hooks)
            hooks.on_train_epoch_end(run_context)
            cb_params.pop("metrics", None)
            cb_params.pop("eval_results", None)
            if run_context.get_stop_requested():
                break
        hooks.on_train_end(run_context)

    def _eval_during_train(self, valid_infos, cb_params, hooks):
        valid_dataset, valid_frequency = valid_infos
        epoch = cb_params.cur_epoch_num
        if not valid_dataset or not (epoch % valid_frequency == 0 if isinstance(valid_frequency, int)
                                     else epoch in valid_frequency):
            return
        saved = {key: cb_params[key] for key in ("cur_step_num", "batch_num", "dataset_sink_mode", "net_outputs")}
        eval_callbacks = [cb for cb in hooks.callbacks
                          if type(cb).__name__ not in _INTERNAL_CALLBACKS or type(cb).__name__ == "TimeMonitor"]
        cb_params.eval_network = self._eval_network
        cb_params.valid_dataset = valid_dataset
        cb_params.batch_num = _size(valid_dataset)
        cb_params.mode = "eval"
        cb_params.cur_step_num = 0
        self._eval_process(valid_dataset, CallbackList(eval_callbacks), cb_params, add_eval_loss=True)
        cb_params.mode = "train"
        cb_params.update(saved)

    # ----- eval / predict ------------------------------------------------------------------------
    def eval(self, valid_dataset, callbacks=None, dataset_sink_mode=False):
        """``{metric name: value}`` over ``valid_dataset``."""
        if not self._metric_fns:
            raise ValueError("For Model.eval, the model argument 'metrics' can not be None or empty, "
                             "you should set the argument 'metrics' for model.")
        cb_params = InternalCallbackParam()
        cb_params.eval_network = self._eval_network
        cb_params.valid_dataset = valid_dataset
        cb_params.batch_num = _size(valid_dataset)
        cb_params.mode = "eval"
        cb_params.cur_step_num = 0
        cb_params.list_callback = as_callback_list(callbacks)
        cb_params.network = self._network
        return self._eval_process(valid_dataset, CallbackList(cb_params.list_callback), cb_params)

    def _eval_process(self, valid_dataset, hooks, cb_params, add_eval_loss=False):
        cb_params.dataset_sink_mode = False
        for metric in self._metric_fns.values():
            metric.clear()
        eval_loss = None
        run_context = RunContext(cb_params)
        hooks.on_eval_begin(run_context)
        hooks.on_eval_epoch_begin(run_context)
        if isinstance(self._network, torch.nn.Module):
            self._network.eval()
        with torch.no_grad():
            for row in _rows(valid_dataset):
                cb_params.cur_step_num += 1
                row = _as_tuple(row)
                cb_params.eval_dataset_element = row
                hooks.on_eval_step_begin(run_context)
                outputs = self._eval_network(*row)
                cb_params.net_outputs = outputs
                hooks.on_eval_step_end(run_context)
                self._update_metrics(outputs)
                if add_eval_loss:  # MindSpore 2.10 makes a new Loss each step: eval_loss is the last batch's
                    eval_loss = Loss()
                    eval_loss.update(outputs[self._eval_indexes[0]])
                if run_context.get_stop_requested():
                    break
        hooks.on_eval_epoch_end(run_context)
        metrics = {key: metric.eval() for key, metric in self._metric_fns.items()}
        cb_params.metrics = metrics
        if eval_loss is not None:
            cb_params.eval_results = copy.deepcopy(metrics)
            cb_params.eval_results.update({"eval_loss": eval_loss.eval()})
        hooks.on_eval_end(run_context)
        return metrics

    def _update_metrics(self, outputs):
        if isinstance(outputs, torch.Tensor):
            outputs = (outputs,)
        if not isinstance(outputs, tuple):
            raise ValueError(f"The argument 'outputs' should be tuple, but got {type(outputs)}.")
        if self._eval_indexes is not None and len(outputs) < 3:
            raise ValueError("The length of 'outputs' must be >= 3, but got {}".format(len(outputs)))
        for metric in self._metric_fns.values():
            if self._eval_indexes is None:
                metric.update(*outputs)
            elif isinstance(metric, Loss):
                metric.update(outputs[self._eval_indexes[0]])
            else:
                metric.update(outputs[self._eval_indexes[1]], outputs[self._eval_indexes[2]])

    def predict(self, *predict_data, backend=None, config=None):
        """The network's output in inference mode (no gradients)."""
        if isinstance(self._network, torch.nn.Module):
            self._network.eval()
        inputs = [torch.as_tensor(x) for x in predict_data]
        with torch.no_grad():
            return self._network(*inputs)
