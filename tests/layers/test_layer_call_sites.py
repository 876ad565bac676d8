"""Layer calls as real model files write them (shapes found on the public corpus), through the converter.

Each case is (source, target, a line of the source, what the converted line must contain); a second
conversion of the output changes nothing. The numerics of what these lines become are tested by the
row harness (tests/layers/test_layer_rows.py) and the twins' tests (test_torch_twins.py).
"""
import pytest

from msbridge.convert.source import convert_source

HEADER = {"mindspore": "import mindspore.nn as nn\n", "torch": "import torch.nn as nn\n"}
CASES = [
    # torch's nn.Dropout(p) with p a variable: p may be 1, which MindSpore's Dropout refuses
    ("torch", "mindspore", "d = nn.Dropout(dropout)", "d = Dropout(dropout)"),
    ("torch", "mindspore", "d = nn.Dropout(0.1)", "mindspore.nn.Dropout(p=0.1)"),
    # torch's nn.LayerNorm(dim): an int or a shape, known only at run time
    ("torch", "mindspore", "n = nn.LayerNorm(dim)", "n = LayerNorm(dim)"),
    # torch's (height, width) padding is MindSpore's (top, bottom, left, right)
    ("torch", "mindspore", "c = nn.Conv2d(1, 64, (5, 5), (1, 1), (2, 2))",
     "mindspore.nn.Conv2d(1, 64, (5, 5), (1, 1), pad_mode='pad', padding=(2, 2, 2, 2), has_bias=True)"),
    # a padding known only at run time (an int or a pair): msbridge's twin decides the mode when built
    ("torch", "mindspore", "c = nn.Conv2d(c_in, c_out, k, padding=k // 2)", "c = Conv2d(c_in, c_out, k, padding=k // 2)"),
    # a tuple display whose length is known though its elements are not
    ("mindspore", "torch", "n = nn.LayerNorm((in_channels,))", "torch.nn.LayerNorm((in_channels,), eps=1e-07)"),
    # MindSpore's Upsample refuses scale_factor on 4-D inputs: torch's goes to msbridge's twin
    ("torch", "mindspore", "u = nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True)",
     "u = Upsample(scale_factor=2, mode='bilinear', align_corners=True)"),
    ("torch", "mindspore", "u = nn.Upsample(size=(4, 4))", "u = mindspore.nn.Upsample(size=(4, 4))"),
    # MindSpore's pad_mode='same' pooling (ResNet stems) has no torch pool: msbridge's twin pads as MindSpore does
    ("mindspore", "torch", "p = nn.MaxPool2d(kernel_size=3, stride=2, pad_mode='same')",
     "p = MaxPool2d(kernel_size=3, stride=2, pad_mode='same')"),
    # a MindSpore layer's init argument (PointNet's Conv1d) is applied after the torch layer's construction
    ("mindspore", "torch", "c = nn.Conv1d(3, 64, 1, has_bias=True, bias_init='normal')",
     "torch.nn.Conv1d(3, 64, 1, padding='same', bias=True)\ninitialize_(c.bias, 'normal')"),
    # torch's in-place init functions run on MindSpore parameters through msbridge.torch.nn.init
    ("torch", "mindspore", "nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')",
     # `m` of unknown kind: its weight read at run time (BatchNorm's is gamma on MindSpore; rules.layer_attrs)
     "from msbridge.torch.nn.init import kaiming_normal_\nkaiming_normal_(param(m, \"weight\"), mode='fan_out', "
     "nonlinearity='relu')"),
]


@pytest.mark.parametrize("source,target,line,expected", CASES, ids=[c[2] for c in CASES])
def test_call_site_converts(source, target, line, expected):
    code, report = convert_source(HEADER[source] + line + "\n", target)
    assert "# msbridge:" not in code, code
    assert expected in code, code
    assert convert_source(code, target)[0] == code
