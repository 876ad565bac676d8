"""``mindspore.dataset.transforms``' type and composition operations on numpy (MindSpore 2.10)."""
import numpy as np


def numpy_dtype(data_type):
    """A numpy dtype from a numpy type, a torch dtype (what a converted ``mstype.int32`` becomes) or a name."""
    if isinstance(data_type, str):
        return np.dtype(data_type)
    try:
        import torch
        if isinstance(data_type, torch.dtype):
            return torch.empty((), dtype=data_type).numpy().dtype
    except ImportError:   # numpy-only use
        pass
    return np.dtype(data_type)


class TypeCast:
    """Cast to ``data_type`` (numpy's cast: floats to ints truncate toward zero, as MindSpore does)."""

    def __init__(self, data_type):
        self.data_type = numpy_dtype(data_type)

    def __call__(self, data):
        return np.asarray(data).astype(self.data_type)


class Compose:
    """Apply ``transforms`` in order."""

    def __init__(self, transforms):
        if not isinstance(transforms, (list, tuple)) or not transforms:
            raise ValueError("transforms list can not be empty.")
        self.transforms = list(transforms)

    def __call__(self, *data):
        for op in self.transforms:
            out = op(*data)
            data = out if isinstance(out, tuple) else (out,)
        return data[0] if len(data) == 1 else data


class OneHot:
    """Class indices to one-hot rows of ``num_classes`` (the indices' dtype, as MindSpore keeps it)."""

    def __init__(self, num_classes, smoothing_rate=0.0):
        if smoothing_rate != 0.0:
            raise NotImplementedError("msbridge: OneHot(smoothing_rate != 0) is not supported.")
        self.num_classes = num_classes

    def __call__(self, label):
        label = np.asarray(label)
        return (np.arange(self.num_classes) == label[..., np.newaxis]).astype(label.dtype)
