"""torch ``nn`` layers and functions on MindSpore: only where MindSpore has nothing computing the same.

The converter writes MindSpore's own layer wherever a table row shows it exact at the call site;
these twins take calls whose arguments are known only at run time (``nn.Conv2d(..., padding=k // 2)``:
an int or a pair; ``nn.Dropout(p)`` may be 1, ``nn.LayerNorm(dim)`` an int or a shape;
``nn.Upsample(scale_factor=2)``, which MindSpore's refuses on 4-D inputs; ``nn.InstanceNorm2d``, which
MindSpore lacks on CPU; ``ReLU``/``SiLU``/``GELU``/``BatchNorm1d``/``BatchNorm2d`` taking torch's
``inplace``/``approximate``/``momentum`` for a class passed as a value and called later; ``MultiheadAttention``,
whose MindSpore namesake refuses torch's keyword calls). ``functional`` holds
``scaled_dot_product_attention`` and torch-default pooling, interpolate, pad, dropout, layer_norm and normalize;
``parallel`` holds ``DistributedDataParallel``. Each is tested against real torch (tests/layers/test_torch_twins.py,
test_batchnorm_twin.py, test_attention_twin.py, tests/torch/test_runtime_twins.py).
"""
from msbridge.torch.nn import init, parallel
from msbridge.torch.nn.activation import GELU, ReLU, SiLU
from msbridge.torch.nn.attention import MultiheadAttention
from msbridge.torch.nn.batchnorm import BatchNorm1d, BatchNorm2d
from msbridge.torch.nn.conv import Conv2d
from msbridge.torch.nn.dropout import Dropout
from msbridge.torch.nn.instancenorm import InstanceNorm2d
from msbridge.torch.nn.normalization import LayerNorm
from msbridge.torch.nn.parallel import DataParallel
from msbridge.torch.nn.upsample import Upsample

__all__ = ["BatchNorm1d", "BatchNorm2d", "Conv2d", "DataParallel", "Dropout", "GELU", "InstanceNorm2d", "LayerNorm",
           "MultiheadAttention", "ReLU", "SiLU", "Upsample", "init", "parallel"]
