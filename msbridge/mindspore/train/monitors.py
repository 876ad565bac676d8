"""``LossMonitor`` and ``TimeMonitor``: the same printed lines as MindSpore 2.10."""
import time

import numpy as np

from msbridge.mindspore.train.callback import Callback


def handle_loss(loss):
    """MindSpore's ``_handle_loss``: a tensor becomes ``float(mean)``; a tuple gives its first item."""
    import torch
    if isinstance(loss, (tuple, list)):
        if isinstance(loss[0], torch.Tensor):
            loss = loss[0]
    elif isinstance(loss, torch.Tensor):
        loss = float(np.mean(loss.detach().cpu().numpy()))
    return loss


class LossMonitor(Callback):
    """Prints ``epoch: E step: S, loss is L`` every ``per_print_times`` steps (0: never)."""

    def __init__(self, per_print_times=1):
        super().__init__()
        if not isinstance(per_print_times, int) or isinstance(per_print_times, bool):
            raise TypeError(f"The input value must be int, but got '{type(per_print_times).__name__}'")
        if per_print_times < 0:
            raise ValueError(f"The input value must be int and must >= 0, but got '{per_print_times}' with type 'int'.")
        self._per_print_times = per_print_times
        self._last_print_time = 0

    def step_end(self, run_context):
        cb_params = run_context.original_args()
        cur_epoch_num = cb_params.get("cur_epoch_num", 1)
        loss = handle_loss(cb_params.net_outputs)
        cur_step_in_epoch = (cb_params.cur_step_num - 1) % cb_params.batch_num + 1
        if isinstance(loss, float) and (np.isnan(loss) or np.isinf(loss)):
            raise ValueError("In epoch: {} step: {}, loss is NAN or INF, training process cannot continue, "
                             "terminating training.".format(cur_epoch_num, cur_step_in_epoch))
        if self._per_print_times != 0 and cb_params.cur_step_num <= self._last_print_time:
            while cb_params.cur_step_num <= self._last_print_time:
                self._last_print_time -= max(self._per_print_times,
                                             cb_params.batch_num if cb_params.dataset_sink_mode else 1)
        if self._per_print_times != 0 and (cb_params.cur_step_num - self._last_print_time) >= self._per_print_times:
            self._last_print_time = cb_params.cur_step_num
            print("epoch: %s step: %s, loss is %s" % (cur_epoch_num, cur_step_in_epoch, loss), flush=True)

    def on_train_epoch_end(self, run_context):
        metrics = run_context.original_args().get("metrics")
        if metrics:
            print("Eval result: epoch %d, metrics: %s" % (run_context.original_args().cur_epoch_num, metrics))


class TimeMonitor(Callback):
    """Prints ``Train epoch time: T ms, per step time: S ms`` at each epoch end."""

    def __init__(self, data_size=None, data_time=False):
        super().__init__()
        if not isinstance(data_time, bool):
            raise TypeError(f"For 'TimeMonitor', the type of 'data_time' must be bool, but got {type(data_time)}.")
        self.data_size = data_size
        self.data_time = data_time
        self.epoch_time = time.time()
        self.data_time_sum = 0.0
        self.data_time_start = 0.0

    def on_train_step_begin(self, run_context):
        if self.data_time:
            self.data_time_sum += time.time() - self.data_time_start

    def on_train_step_end(self, run_context):
        if self.data_time:
            self.data_time_start = time.time()

    def epoch_begin(self, run_context):
        self.epoch_time = time.time()
        if self.data_time:
            self.data_time_sum = 0.0
            self.data_time_start = time.time()

    def epoch_end(self, run_context):
        epoch_ms = (time.time() - self.epoch_time) * 1000
        cb_params = run_context.original_args()
        step_size = self.data_size
        batch_num = cb_params.get("batch_num")
        if isinstance(batch_num, int) and batch_num > 0:
            step_size = batch_num
        if not isinstance(step_size, int) or step_size <= 0:
            raise ValueError(f"The integer value must be positive int, but got {step_size}.")
        line = "{} epoch time: {:5.3f} ms, per step time: {:5.3f} ms".format(
            cb_params.get("mode", "").title(), epoch_ms, epoch_ms / step_size)
        if self.data_time:
            line += " (data time: {:5.3f} ms)".format(self.data_time_sum * 1000 / step_size)
        print(line, flush=True)
