"""Evaluation metrics, MindSpore 2.10's numpy code with torch tensors accepted as input.

The sums run in numpy exactly as MindSpore's do, so ``Model.eval`` returns the
same values with the same numpy types (``Accuracy`` -> ``numpy.float64``).
"""
import numpy as np


def _check_onehot_data(data):
    if data.ndim > 1 and np.equal(data ** 2, data).all():
        shp = (data.shape[0],) + data.shape[2:]
        if np.equal(np.ones(shp), data.sum(axis=1)).all():
            return True
    return False


class Metric:
    """Base: ``clear()``, ``update(*inputs)``, ``eval()``."""

    def __init__(self):
        self.clear()

    def _convert_data(self, data):
        import torch
        if isinstance(data, torch.Tensor):
            return data.detach().cpu().numpy()
        if isinstance(data, list):
            return np.array(data)
        if isinstance(data, np.ndarray):
            return data
        raise TypeError(f"For 'Metric' and its derived classes, the input data type must be tensor, list or "
                        f"numpy.ndarray, but got {type(data)}.")

    def clear(self):
        raise NotImplementedError

    def update(self, *inputs):
        raise NotImplementedError

    def eval(self):
        raise NotImplementedError


class Accuracy(Metric):
    """Share of samples whose arg-max prediction equals the label (index or one-hot)."""

    def __init__(self, eval_type='classification'):
        if eval_type not in ('classification', 'multilabel'):
            raise TypeError("For 'Accuracy', the argument 'eval_type' must be in ['classification', "
                            f"'multilabel'], but got {eval_type}.")
        self._type = eval_type
        super().__init__()

    def clear(self):
        self._correct_num = 0
        self._total_num = 0
        self._class_num = 0

    def update(self, *inputs):
        if len(inputs) != 2:
            raise ValueError("For 'Accuracy.update', it needs 2 inputs (predicted value, true value), "
                             "but got {}".format(len(inputs)))
        y_pred = self._convert_data(inputs[0])
        y = self._convert_data(inputs[1])
        if self._type == 'classification' and y_pred.ndim == y.ndim and _check_onehot_data(y):
            y = y.argmax(axis=1)
        if self._type == 'classification' and (y_pred.ndim != y.ndim + 1
                                               or y.shape != (y_pred.shape[0],) + y_pred.shape[2:]):
            raise ValueError(f"In classification case, y_pred (predicted value) shape and y (true value) shape "
                             f"can not match, y_pred shape is {y_pred.shape}, y shape is {y.shape}.")
        if self._class_num == 0:
            self._class_num = y_pred.shape[1]
        elif y_pred.shape[1] != self._class_num:
            raise ValueError("For 'Accuracy.update', class number not match, last input predicted data contain {} "
                             "classes, but current predicted data contain {} classes.".format(self._class_num,
                                                                                              y_pred.shape[1]))
        if self._type == 'classification':
            result = (np.equal(y_pred.argmax(axis=1), y) * 1).reshape(-1)
        else:
            last = y_pred.ndim - 1
            y_pred = y_pred.swapaxes(1, last).reshape(-1, self._class_num)
            y = y.swapaxes(1, last).reshape(-1, self._class_num)
            result = np.equal(y_pred, y).all(axis=1) * 1
        self._correct_num += result.sum()
        self._total_num += result.shape[0]

    def eval(self):
        if self._total_num == 0:
            raise RuntimeError("The 'Accuracy' can not be calculated, because the number of samples is 0.")
        return self._correct_num / self._total_num


class Loss(Metric):
    """Mean over batches of each batch's mean loss."""

    def clear(self):
        self._sum_loss = 0
        self._total_num = 0

    def update(self, *inputs):
        if len(inputs) != 1:
            raise ValueError("For 'Loss.update', it needs 1 input (loss), but got {}".format(len(inputs)))
        loss = self._convert_data(inputs[0])
        if loss.ndim == 0:
            loss = loss.reshape(1)
        if loss.ndim != 1:
            raise ValueError("For 'Loss.update', the dimension of your input (loss) must be 1, "
                             "but got {}.".format(loss.ndim))
        self._sum_loss += loss.mean(-1)
        self._total_num += 1

    def eval(self):
        if self._total_num == 0:
            raise RuntimeError("The 'Loss' can not be calculated, because the number of samples is 0.")
        return self._sum_loss / self._total_num


class TopKCategoricalAccuracy(Metric):
    """Share of samples whose label is among the ``k`` largest predictions."""

    def __init__(self, k):
        if not isinstance(k, int) or isinstance(k, bool):
            raise TypeError(f"For 'TopKCategoricalAccuracy', the type of 'k' must be int, but got {type(k)}.")
        if k < 1:
            raise ValueError(f"For 'TopKCategoricalAccuracy', the argument 'k' must be greater than or equal to 1, "
                             f"but got {k}.")
        self.k = k
        super().__init__()

    def clear(self):
        self._correct_num = 0
        self._samples_num = 0

    def update(self, *inputs):
        if len(inputs) != 2:
            raise ValueError("For 'TopKCategoricalAccuracy.update', it needs 2 inputs (predicted value, true "
                             "value), but got 'inputs' size: {}.".format(len(inputs)))
        y_pred = self._convert_data(inputs[0])
        y = self._convert_data(inputs[1])
        if y_pred.ndim == y.ndim and _check_onehot_data(y):
            y = y.argmax(axis=1)
        indices = np.argsort(-y_pred, axis=1)[:, :self.k]
        repeated_y = y.reshape(-1, 1).repeat(self.k, axis=1)
        self._correct_num += np.equal(indices, repeated_y).sum(axis=1).sum()
        self._samples_num += repeated_y.shape[0]

    def eval(self):
        if self._samples_num == 0:
            raise RuntimeError("The 'TopKCategoricalAccuracy' can not be calculated, because the number of "
                               "samples is 0.")
        return self._correct_num / self._samples_num


class Top1CategoricalAccuracy(TopKCategoricalAccuracy):
    def __init__(self):
        super().__init__(1)


class Top5CategoricalAccuracy(TopKCategoricalAccuracy):
    def __init__(self):
        super().__init__(5)


_FACTORY = {
    'accuracy': Accuracy, 'acc': Accuracy, 'loss': Loss,
    'top_1_accuracy': Top1CategoricalAccuracy, 'top_5_accuracy': Top5CategoricalAccuracy,
}


def get_metric_fn(name, *args, **kwargs):
    if name not in _FACTORY:
        raise KeyError(f"For 'get_metric_fn', unsupported metric {name}; msbridge supports {sorted(_FACTORY)}.")
    return _FACTORY[name](*args, **kwargs)


def get_metrics(metrics):
    """``None`` | ``{name: Metric}`` | ``{'acc', 'loss', ...}`` -> ``{name: Metric}``."""
    if metrics is None:
        return metrics
    if isinstance(metrics, dict):
        for name, metric in metrics.items():
            if not isinstance(name, str) or not isinstance(metric, Metric):
                raise TypeError(f"For 'get_metrics', if 'metrics' is dict, the key in 'metrics' must be string and "
                                f"value in 'metrics' must be Metric, but got key:{type(name)}, value:{type(metric)}.")
        return metrics
    if isinstance(metrics, set):
        return {name: get_metric_fn(name) for name in metrics}
    raise TypeError("For 'get_metrics', the argument 'metrics' must be None, dict or set, "
                    "but got {}".format(metrics))
