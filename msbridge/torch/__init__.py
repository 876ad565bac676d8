"""torch-shaped API driving MindSpore: ``import msbridge.torch as torch``.

``optim``: torch's optimizers and LR schedulers; ``nn``: layers, ``init`` and ``functional`` where MindSpore
has nothing computing the same; ``utils.data``: datasets, samplers and loaders yielding MindSpore tensors;
``no_grad``/``inference_mode``/``enable_grad``, ``manual_seed``, ``Generator``, ``device`` and the device queries (``cuda``,
``accelerator``, ``backends.cudnn``); ``amp``; ``distributed``; ``multiprocessing`` (``spawn``);
``arange``/``meshgrid``/``einsum``/``as_tensor``; ``finfo``/``iinfo``; ``softmax`` (torch's legacy axis when no dim is given); ``max``/``min`` (the value, ``(values, indices)`` with a
dim, or the elementwise extreme with a tensor); the legacy ``LongTensor``/``FloatTensor`` constructors; ``Size``.
"""
from msbridge.torch import accelerator, amp, backends, cuda, distributed, multiprocessing, nn, optim, utils
from msbridge.torch.amp import autocast
from msbridge.torch.detach import detach
from msbridge.torch.device import device
from msbridge.torch.generator import Generator
from msbridge.torch.grad_mode import enable_grad, inference_mode, no_grad
from msbridge.torch.legacy_tensors import FloatTensor, LongTensor
from msbridge.torch.nn.functional import log_softmax, softmax
from msbridge.torch.random import initial_seed, manual_seed, seed
from msbridge.torch.size import Size
from msbridge.torch.tensor_attrs import clamp
from msbridge.torch.tensor_ops import arange, as_tensor, einsum, meshgrid
from msbridge.torch.type_info import finfo, iinfo
# torch.max(x) / torch.max(x, dim) -> (values, indices) / torch.max(x, other): the tensor methods' meanings
from msbridge.torch.tensor_methods import max, min  # noqa: A004 - torch's names (this module uses neither builtin)

__all__ = ["accelerator", "amp", "arange", "as_tensor", "autocast", "backends", "clamp", "cuda", "detach", "device",
           "distributed", "einsum", "enable_grad", "finfo", "FloatTensor", "Generator", "iinfo", "inference_mode",
           "initial_seed", "log_softmax", "LongTensor", "manual_seed", "max", "meshgrid", "min", "multiprocessing",
           "nn", "no_grad", "optim", "seed", "Size", "softmax", "utils"]
