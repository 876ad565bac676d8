"""msbridge.torch.jit against torch.jit: the decorators return what torch's return in eager code."""
import warnings

import pytest
import torch

from msbridge.torch import jit as ours


def _function(x):
    return x + 1


@pytest.mark.parametrize("decorate", [lambda j, f: j.ignore(f), lambda j, f: j.ignore()(f),
                                      lambda j, f: j.unused(f), lambda j, f: j.export(f)],
                         ids=["ignore", "ignore()", "unused", "export"])
def test_decorators_return_the_function_itself_as_torch_does(decorate):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        assert (decorate(ours, _function) is _function) == (decorate(torch.jit, _function) is _function) is True


def test_final_and_is_scripting_are_torchs():
    assert ours.Final is torch.jit.Final
    assert ours.is_scripting() is torch.jit.is_scripting() is False
