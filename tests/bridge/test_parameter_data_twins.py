"""MindSpore's Parameter-data methods and Cell idioms on objects of either framework, decided at run time
(msbridge.bridge.tensor_methods.set_data/assign_value/init_data, msbridge.bridge.cell_methods), against real
MindSpore in the same run: a converted ``cell.weight.set_data(...)`` or ``init_weight(net)`` helper must do on a
torch object what MindSpore's method did on a MindSpore one, and leave a MindSpore object to its own method."""
import mindspore
import numpy as np
import pytest
import torch

from msbridge.bridge import cell_methods
from msbridge.bridge import tensor_methods as twins


def _pair(shape=(2, 3)):
    ms_p = mindspore.Parameter(mindspore.Tensor(np.zeros(shape, np.float32)), name="w")
    return ms_p, torch.nn.Parameter(torch.zeros(shape))


@pytest.mark.parametrize("data", [np.ones((3, 2), np.float32), np.full((2, 3), 2.5, np.float64),
                                  np.arange(6, dtype=np.int32).reshape(2, 3), 3.0, 7],
                         ids=["new-shape", "float64-cast", "int32-cast", "python-float", "python-int"])
def test_set_data_replaces_shape_and_casts_as_mindspore(data):
    ms_p, pt_p = _pair()
    ms_data = mindspore.Tensor(data) if isinstance(data, np.ndarray) else data
    pt_data = torch.from_numpy(data) if isinstance(data, np.ndarray) else data
    assert ms_p.set_data(ms_data) is ms_p and twins.set_data(pt_p, pt_data) is pt_p
    assert tuple(pt_p.shape) == tuple(ms_p.shape) and pt_p.dtype == torch.float32 and ms_p.dtype == mindspore.float32
    np.testing.assert_array_equal(pt_p.detach().numpy(), ms_p.asnumpy())
    assert isinstance(pt_p, torch.nn.Parameter) and pt_p.requires_grad


def test_set_data_refuses_numpy_as_mindspore_does():
    ms_p, pt_p = _pair()
    with pytest.raises(TypeError) as ms_error:
        ms_p.set_data(np.ones((2, 3)))
    with pytest.raises(TypeError) as pt_error:
        twins.set_data(pt_p, np.ones((2, 3)))
    assert str(pt_error.value) == str(ms_error.value)


def test_assign_value_takes_the_values_shape_and_dtype_and_mindspore_objects_keep_their_methods():
    ms_t, pt_t = mindspore.Tensor(np.zeros((2, 3), np.float32)), torch.zeros(2, 3)
    value = np.arange(6, dtype=np.float64).reshape(3, 2)
    assert ms_t.assign_value(mindspore.Tensor(value)) is ms_t
    assert twins.assign_value(pt_t, torch.from_numpy(value)) is pt_t
    assert pt_t.dtype == torch.float64 and ms_t.dtype == mindspore.float64
    np.testing.assert_array_equal(pt_t.numpy(), ms_t.asnumpy())
    ms_p, pt_p = _pair()
    assert twins.init_data(pt_p) is pt_p and twins.init_data(ms_p) is ms_p.init_data()
    other = mindspore.Parameter(mindspore.Tensor(np.zeros((2,), np.float32)), name="v")
    assert twins.set_data(other, mindspore.Tensor(np.ones((2,), np.float32))) is other   # its own method
    np.testing.assert_array_equal(other.asnumpy(), np.ones(2))


class _MsNet(mindspore.nn.Cell):
    def __init__(self):
        super().__init__()
        self.body = mindspore.nn.SequentialCell([mindspore.nn.Dense(3, 4), mindspore.nn.ReLU()])
        self.head = mindspore.nn.Dense(4, 2)
        self.head.bias.requires_grad = False


class _TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU())
        self.head = torch.nn.Linear(4, 2)
        self.head.bias.requires_grad = False


def test_cell_idioms_give_mindspores_results_on_a_torch_module_and_call_a_cells_own():
    ms_net, pt_net = _MsNet(), _TorchNet()
    for net in (ms_net, pt_net):
        params = cell_methods.trainable_params(net)
        assert type(params) is list and len(params) == 3
        assert cell_methods.set_train(net, True) is net
        assert [n for n, _ in cell_methods.cells_and_names(net)] == ["", "body", "body.0", "body.1", "head"]
        assert [type(c).__name__ for c in cell_methods.cells(net)] in (["SequentialCell", "Dense"],
                                                                       ["Sequential", "Linear"])
        assert list(cell_methods.name_cells(net)) == ["body", "head"]
    assert ms_net.training and ms_net.head.training and pt_net.training and pt_net.head.training
    cell_methods.set_train(ms_net, False)
    cell_methods.set_train(pt_net, False)
    assert not (ms_net.head.training or pt_net.head.training)
    values = np.arange(4, dtype=np.float32)
    np.testing.assert_array_equal(cell_methods.asnumpy(torch.from_numpy(values)),
                                  cell_methods.asnumpy(mindspore.Tensor(values)))


def test_norm_param_reads_mindspores_names_on_torch_norm_layers_and_an_objects_own_otherwise():
    ms_bn, pt_bn = mindspore.nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    for name in ("gamma", "beta", "moving_mean", "moving_variance"):
        np.testing.assert_array_equal(cell_methods.norm_param(pt_bn, name).detach().numpy(),
                                      cell_methods.norm_param(ms_bn, name).asnumpy())
    assert cell_methods.norm_param(pt_bn, "moving_variance") is pt_bn.running_var
    own = type("Scale", (torch.nn.Module,), {})()
    own.gamma = 2.0   # a user's layer with a gamma of its own keeps it
    assert cell_methods.norm_param(own, "gamma") == 2.0
    with pytest.raises(AttributeError):
        cell_methods.norm_param(torch.nn.Linear(2, 2), "gamma")
