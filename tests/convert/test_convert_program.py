"""(before, after) pairs for the program around the model, MindSpore -> torch (issue 15): the rows of
runtime.toml, distributed.toml, data.toml and training.toml, and the rules callbacks.py, loss_scale.py and twin_limits.py.
Each expected output was read and checked by hand; converting it again must change nothing."""
import pytest

from msbridge.convert.source import convert_source

PAIRS = [
    pytest.param('import mindspore as ms\nfrom mindspore import context, ops\ncontext.set_context(mode=context.GRAPH_MODE, device_target="CPU")\nms.set_seed(1)\n@ms.jit\ndef f(x):\n    return ops.stop_gradient(x)\n',
                 'import torch\nfrom msbridge.mindspore.context import GRAPH_MODE, set_context\nfrom msbridge.mindspore import set_seed, jit\nset_context(mode=GRAPH_MODE, device_target="CPU")\nset_seed(1)\n@jit\ndef f(x):\n    return torch.detach(x)\n',
                 ['converted'], id='runtime'),  # set_context, modes and set_seed go to msbridge's twins (no torch context; torch.manual_seed would leave numpy unseeded), jit runs eagerly, stop_gradient is torch.detach
    pytest.param('import mindspore as ms\nfrom mindspore.communication.management import init, get_rank, get_group_size\nfrom mindspore.context import ParallelMode\ninit()\nms.set_auto_parallel_context(parallel_mode=ParallelMode.DATA_PARALLEL, gradients_mean=True, device_num=get_group_size())\nrank = get_rank()\n',
                 'from msbridge.mindspore.communication import init, get_group_size, get_rank\nfrom msbridge.mindspore.context import ParallelMode\nfrom msbridge.mindspore import set_auto_parallel_context\ninit()\nset_auto_parallel_context(parallel_mode=ParallelMode.DATA_PARALLEL, gradients_mean=True, device_num=get_group_size())\nrank = get_rank()\n',
                 ['converted'], id='distributed'),  # communication and the auto-parallel context go to msbridge's torch.distributed twins; ParallelMode.DATA_PARALLEL to the twin class's attribute
    pytest.param('import mindspore as ms\nms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL)\n',
                 'from msbridge.mindspore import ParallelMode, set_auto_parallel_context\nset_auto_parallel_context(parallel_mode=ParallelMode.DATA_PARALLEL)\n',
                 ['converted'], id='parallel-mode-top-level'),  # ms.ParallelMode.DATA_PARALLEL, spelled from the top-level package
    pytest.param('import numpy as np\nimport mindspore.dataset as ds\nimport mindspore.dataset.vision as vision\nimport mindspore.dataset.transforms as transforms\ndata = ds.GeneratorDataset(source, ["image", "label"], shuffle=False, num_shards=2, shard_id=0)\ndata = data.map([vision.Rescale(1 / 255, 0), vision.Normalize([0.5], [0.5]), vision.HWC2CHW()], "image")\ndata = data.map(transforms.TypeCast(np.int32), "label").batch(4)\n',
                 'import numpy as np\nfrom msbridge.mindspore.dataset import GeneratorDataset\nfrom msbridge.mindspore.dataset.vision import Rescale, Normalize, HWC2CHW\nfrom msbridge.mindspore.dataset.transforms import TypeCast\ndata = GeneratorDataset(source, ["image", "label"], shuffle=False, num_shards=2, shard_id=0)\ndata = data.map([Rescale(1 / 255, 0), Normalize([0.5], [0.5]), HWC2CHW()], "image")\ndata = data.map(TypeCast(np.int32), "label").batch(4)\n',
                 ['converted'], id='data'),  # datasets and vision/transforms operations go to msbridge's numpy twins (torchvision is not usable here)
    pytest.param('from mindspore import nn\nfrom mindspore.train import Model, LossMonitor, TimeMonitor, ModelCheckpoint, CheckpointConfig\nfrom mindspore.nn.metrics import Accuracy\nnet = nn.Dense(4, 2)\nopt = nn.Momentum(net.trainable_params(), 0.1, 0.9)\ntrain_net = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), opt)\nmodel = Model(net, nn.MSELoss(), opt, metrics={"acc": Accuracy()})\nmodel.train(2, data, callbacks=[LossMonitor(), TimeMonitor(), ModelCheckpoint(config=CheckpointConfig(save_checkpoint_steps=4))])\n',
                 'import torch\nfrom msbridge.mindspore.nn import WithLossCell, TrainOneStepCell, Accuracy\nfrom msbridge.mindspore.train import Model, LossMonitor, TimeMonitor, CheckpointConfig, ModelCheckpoint\nnet = torch.nn.Linear(4, 2)\nopt = torch.optim.SGD(net.parameters(), 0.1, 0.9)\ntrain_net = TrainOneStepCell(WithLossCell(net, torch.nn.MSELoss()), opt)\nmodel = Model(net, torch.nn.MSELoss(), opt, metrics={"acc": Accuracy()})\nmodel.train(2, data, callbacks=[LossMonitor(), TimeMonitor(), ModelCheckpoint(config=CheckpointConfig(save_checkpoint_steps=4))])\n',
                 ['converted'], id='training'),  # Model, callbacks, checkpoint callbacks, metrics and the cell wrappers go to msbridge's twins around native torch layers and optimizers
    pytest.param('from mindspore.train import Callback\nclass Record(Callback):\n    def on_train_step_end(self, run_context):\n        cb_params = run_context.original_args()\n        loss = cb_params.net_outputs\n        print(loss.asnumpy(), run_context.original_args().net_outputs.asnumpy())\n',
                 'from msbridge.mindspore.train import Callback\nclass Record(Callback):\n    def on_train_step_end(self, run_context):\n        cb_params = run_context.original_args()\n        loss = cb_params.net_outputs\n        print(loss.numpy(force=True), run_context.original_args().net_outputs.numpy(force=True))\n',
                 ['converted'], id='callback-hook'),  # rules/callbacks.py: a hook's run_context of a converted Callback subclass holds torch tensors in net_outputs
    pytest.param('from mindspore.train import Callback\nclass Record(Callback):\n    def helper(self, tensor):\n        return tensor.asnumpy()\n',
                 'from msbridge.mindspore.train import Callback\nfrom msbridge.bridge.cell_methods import asnumpy\nclass Record(Callback):\n    def helper(self, tensor):\n        return asnumpy(tensor)\n',
                 ['converted'], id='callback-helper-not-a-hook'),  # a method that is not a MindSpore hook gets no such knowledge: its argument stays unknown, decided at run time (msbridge.bridge.cell_methods)
    pytest.param('from mindspore import nn\nnet = nn.Dense(4, 2)\nopt = nn.Momentum(net.trainable_params(), learning_rate=0.1, momentum=0.9, loss_scale=1024.0)\n',
                 'import torch\nfrom msbridge.mindspore.nn import Momentum\nnet = torch.nn.Linear(4, 2)\nopt = Momentum(net.parameters(), learning_rate=0.1, momentum=0.9, loss_scale=1024.0)\n',
                 ['converted'], id='loss-scale-twin'),  # rules/loss_scale.py: loss_scale other than 1 goes to msbridge's MindSpore-shaped Momentum
    pytest.param('from mindspore import nn\nnet = nn.Dense(4, 2)\nopt = nn.Momentum(net.trainable_params(), learning_rate=0.1, momentum=0.9, loss_scale=1.0)\n',
                 'import torch\nnet = torch.nn.Linear(4, 2)\nopt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)\n',
                 ['converted'], id='loss-scale-one-native'),  # loss_scale=1.0 changes nothing: the native torch row applies
    pytest.param('from mindspore import nn\ng, d = nn.Dense(4, 2), nn.Dense(2, 1)\ng.set_train()\n',
                 'import torch\ng, d = torch.nn.Linear(4, 2), torch.nn.Linear(2, 1)\ng.train()\n',
                 ['converted'], id='tuple-assignment'),  # a, b = X(), Y() binds each name to what its constructor builds
    pytest.param('import mindspore as ms\ndef train(net, loss_fn, opt, x, y):\n    def forward(x, y):\n        return loss_fn(net(x), y)\n    grad_fn = ms.value_and_grad(forward, None, opt.parameters)\n    loss, grads = grad_fn(x, y)\n    opt(grads)\n    return loss.asnumpy()\n',
                 'def train(net, loss_fn, opt, x, y):\n    def forward(x, y):\n        return loss_fn(net(x), y)\n    opt.zero_grad()\n    loss = forward(x, y)\n    loss.backward()\n    opt.step()\n    return loss.numpy(force=True)\n',
                 ['converted'], id='step-loss'),  # the loss of a rewritten value_and_grad step is a torch tensor
    pytest.param('import mindspore as ms\nimport mindspore.dataset as ds\nfrom mindspore import Model\nfrom mindspore.communication import init\ninit("hccl")\ninit()\nms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.AUTO_PARALLEL)\nms.set_auto_parallel_context(parallel_mode=mode)\nm = Model(net, loss, opt, amp_level="O2")\nm = Model(net, loss, opt, None, None, None, "O0")\nd = ds.GeneratorDataset(source, ["x"], collate_fn=merge)\n',
                 'from msbridge.mindspore.communication import init\nfrom msbridge.mindspore import ParallelMode, set_auto_parallel_context, Model\nfrom msbridge.mindspore.dataset import GeneratorDataset\ninit("hccl")  # msbridge: review: mindspore.communication.init: backend_name="hccl": MindSpore\'s \'hccl\' (Ascend) has no torch.distributed backend: call init() (gloo on CPU, nccl on GPUs)\ninit()\nset_auto_parallel_context(parallel_mode=ParallelMode.AUTO_PARALLEL)  # msbridge: review: mindspore.set_auto_parallel_context: parallel_mode=ms.ParallelMode.AUTO_PARALLEL: only stand-alone and data parallelism run on torch (operator sharding does not)\nset_auto_parallel_context(parallel_mode=mode)  # msbridge: review: mindspore.set_auto_parallel_context: parallel_mode=mode is not a literal, so it cannot be checked: only stand-alone and data parallelism run on torch (operator sharding does not)\nm = Model(net, loss, opt, amp_level="O2")  # msbridge: review: mindspore.Model: amp_level="O2": msbridge\'s Model trains in float32 only (amp_level=\'O0\'); use torch.autocast in the network\nm = Model(net, loss, opt, None, None, None, "O0")\nd = GeneratorDataset(source, ["x"], collate_fn=merge)  # msbridge: review: mindspore.dataset.GeneratorDataset: collate_fn=merge: msbridge\'s GeneratorDataset has no batch_sampler/collate_fn (MindSpore 2.10\'s torch-style batching): batch with .batch(...) instead\n',
                 ['converted', 'review'], id='twin-limits'),  # rules/twin_limits.py: values msbridge's twins refuse, or that cannot be checked, are review
    pytest.param('from mindspore import amp\nnet = amp.auto_mixed_precision(net, "O0")\nslow = amp.auto_mixed_precision(net, "O2")\nscaler = amp.DynamicLossScaler(1024, 2, 1000)\nfinite = amp.all_finite(grads)\n',
                 'from msbridge.mindspore.amp import auto_mixed_precision, DynamicLossScaler, all_finite\nnet = auto_mixed_precision(net, "O0")\nslow = auto_mixed_precision(net, "O2")  # msbridge: review: mindspore.amp.auto_mixed_precision: amp_level="O2": msbridge runs amp_level=\'O0\' only (float32): use torch.autocast around the forward pass\nscaler = DynamicLossScaler(1024, 2, 1000)\nfinite = all_finite(grads)\n',
                 ['converted', 'review'], id='amp'),  # mindspore.amp's scalers and all_finite go to msbridge's twins; auto_mixed_precision O0 only
]


@pytest.mark.parametrize("before,after,statuses", PAIRS)
def test_program_apis_convert_to_torch(before, after, statuses):
    out, report = convert_source(before, to="torch")
    assert out == after
    assert sorted({use.status for use in report.uses}) == statuses
    assert convert_source(out, to="torch")[0] == out, "converting twice must give the same output"
