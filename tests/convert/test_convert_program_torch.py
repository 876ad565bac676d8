"""The program around the model, torch -> MindSpore (issue 15): ``(before, after)`` pairs per rule.

Device moves (``rules.devices``), gradient clipping in a step (``rules.clip_grad``), loss scaling
(``rules.grad_scaler``), twin calls whose arguments differ (``rules.twin_calls``), data, seeds, flags and
the distributed calls (msbridge's twins, found by name). Converting the output again changes nothing.
That the converted programs run and compute the same: tests/program/test_torch_ports.py.
"""
import inspect
import textwrap

import pytest
import torch
import torch.distributed
import torch.nn.parallel
import torch.utils.data
import torch.utils.data.distributed

import msbridge.torch as mt
import msbridge.torch.cuda.amp
import msbridge.torch.distributed
import msbridge.torch.nn.parallel
import msbridge.torch.utils.data
import msbridge.torch.utils.data.distributed
from msbridge.convert.report import CONVERTED, REVIEW, UNSUPPORTED
from msbridge.convert.source import convert_source


def _convert(before):
    out, report = convert_source(textwrap.dedent(before), "mindspore")
    assert convert_source(out, "mindspore")[0] == out, "converting twice must give the same output"
    return out, {(u.api, u.status) for u in report.uses}


def test_device_moves_are_removed_and_the_queries_become_twins():
    out, uses = _convert("""\
        import torch
        device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
        model = torch.nn.Linear(2, 2).to(device)
        def step(x, y, args):
            x, y = x.to(device, non_blocking=True), y.cuda()
            z = model(x).cpu()
            return z, x.to(args.device), x.to("cuda:1")
        """)
    assert out == textwrap.dedent("""\
        import msbridge.torch
        import mindspore
        from msbridge.torch.cuda import is_available
        device = msbridge.torch.device("cuda:0" if is_available() else "cpu")
        model = mindspore.nn.Dense(2, 2)
        def step(x, y, args):
            x, y = x, y
            z = model(x)
            return z, x, x
        """)
    assert {(".to()", CONVERTED), (".cuda()", CONVERTED), (".cpu()", CONVERTED),
            ("torch.device", CONVERTED), ("torch.cuda.is_available", CONVERTED)} == uses - {("torch.nn.Linear", CONVERTED)}


@pytest.mark.parametrize("call", ["t.to(torch.float32)", "t.to(other)", "t.to(device, torch.float32)",
                                  "t.cpu(memory)", "t.to(dtype=torch.float32)"],
                         ids=["dtype", "unknown-argument", "device-and-dtype", "cpu-with-argument", "dtype-keyword"])
def test_calls_that_are_not_pure_moves_stay(call):
    out, _ = _convert(f"import torch\nt = torch.tensor([1.0])\nx = {call}\n")
    assert f"x = {call}" in out


CLIP_BEFORE = """\
    import torch
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    head = torch.nn.Linear(1, 1)
    def step(x):
        opt.zero_grad()
        loss = model(x).sum()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0, norm_type=2.0, foreach=True)
        torch.nn.utils.clip_grad_value_(head.parameters(), 0.5)
        opt.step()
        return norm
    def outside():
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    """


def test_clipping_in_a_step_clips_the_steps_gradients():
    out, uses = _convert(CLIP_BEFORE)
    assert ("    loss, grads = mindspore.value_and_grad(_msbridge_forward, None, opt.parameters)()\n"
            "    grads, norm = clip_grad_norm(grads, 1.0, norm_type=2.0)\n"
            "    # msbridge: review: torch.nn.utils.clip_grad_value_: clips the gradients of opt's parameters, the ones "
            "the converted step computes; the torch call clipped those of head.parameters(): check that they are the "
            "same set\n"
            "    grads = clip_grad_value(grads, 0.5)\n"
            "    opt(grads)\n"
            "    return norm\n") in out
    assert "from msbridge.torch.grads import clip_grad_norm, clip_grad_value" in out
    # the parameters clipped are the ones the optimizer was built with: converted; others: review;
    # outside a step there are no gradients to clip: unsupported
    assert {u for u in uses if "clip" in u[0]} == {("torch.nn.utils.clip_grad_norm_", CONVERTED),
                                                  ("torch.nn.utils.clip_grad_value_", REVIEW),
                                                  ("torch.nn.utils.clip_grad_norm_", UNSUPPORTED)}
    assert "unsupported: torch.nn.utils.clip_grad_norm_: not between the loss.backward() and optimizer.step()" in out


def test_a_scaled_step_keeps_the_scaler():
    out, uses = _convert("""\
        import torch
        model = torch.nn.Linear(3, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scaler = torch.amp.GradScaler("cpu")
        use_amp = torch.cuda.is_available()
        def step(x, y):
            optimizer.zero_grad()
            with torch.autocast(device_type="cuda", enabled=use_amp):
                out = model(x)
                loss = ((out - y) ** 2).mean()
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            scaler.step(optimizer)
            scaler.update()
            return loss.item()
        """)
    assert textwrap.dedent("""\
        def step(x, y):
            def _msbridge_forward():
                with autocast(device_type="cuda", enabled=use_amp):
                    out = model(x)
                    loss = ((out - y) ** 2).mean()
                return loss, (out,)
            (loss, (out,)), grads = mindspore.value_and_grad(_msbridge_forward, None, optimizer.parameters, has_aux=True)()
            scaler.unscale_(optimizer)
            scaler.step(optimizer, grads)
            scaler.update()
            return loss.item()
        """) in out
    assert all(status == CONVERTED for _, status in uses)


def test_a_scale_call_on_something_else_is_not_a_step():
    out, uses = _convert("""\
        import torch
        model = torch.nn.Linear(3, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        def step(x, scaler):
            optimizer.zero_grad()
            loss = model(x).sum()
            scaler.scale(loss).backward()
            scaler.step(optimizer)
        """)
    assert "mindspore.value_and_grad(" not in out and "optimizer.zero_grad()" in out
    assert ("torch.optim.Optimizer.zero_grad", REVIEW) in uses


@pytest.mark.parametrize("line,marked", [
    ('with torch.autocast("cpu"):', True),
    ('with torch.autocast("cpu", torch.bfloat16, True):', True),
    ('with torch.autocast("cpu", enabled=False):', False),
    ('with torch.autocast("cuda", enabled=torch.cuda.is_available()):', False),
    ("with torch.cuda.amp.autocast(False):", False),
    ("with torch.cuda.amp.autocast():", True),
], ids=["default-enabled", "positional-enabled", "disabled", "cuda-only", "cuda-amp-disabled", "cuda-amp-enabled"])
def test_autocast_that_may_be_enabled_is_review(line, marked):
    out, uses = _convert(f"import torch\n{line}\n    pass\n")
    assert ("review: torch.autocast" in out or "review: torch.cuda.amp.autocast" in out) is marked
    assert "mixed_precision" in out if marked else "msbridge:" not in out


def test_loader_worker_init_fn_with_workers_is_review():
    out, _ = _convert("import torch\nl = torch.utils.data.DataLoader(range(3), num_workers=2, worker_init_fn=print)\n")
    assert "review: torch.utils.data.DataLoader: worker_init_fn runs in torch's worker processes" in out
    out, uses = _convert("import torch\nl = torch.utils.data.DataLoader(range(3), num_workers=0, worker_init_fn=print)\n")
    assert "msbridge:" not in out and uses == {("torch.utils.data.DataLoader", CONVERTED)}


def test_flags_seed_and_no_grad():
    out, uses = _convert("""\
        import torch
        torch.backends.cudnn.benchmark = True
        torch.manual_seed(0)
        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = torch.nn.Linear(2, 2)
            def forward(self, x):
                return self.fc(x)
        @torch.no_grad()
        def evaluate(model, x):
            model.eval()
            return model(x)
        evaluate(Net(), torch.tensor([[1.0, 2.0]]))
        """)
    assert "cudnn.benchmark = True\nmanual_seed(0)\n" in out      # the flag is set on its module, not a local name
    assert "from msbridge.torch.backends import cudnn" in out
    assert "@no_grad()\ndef evaluate(model, x):\n    model.set_train(False)\n" in out   # the decorator passes calls on
    assert all(status == CONVERTED for _, status in uses)


def test_distributed_calls_become_twins():
    out, uses = _convert("""\
        import torch
        import torch.distributed as dist
        from torch.nn.parallel import DistributedDataParallel
        from torch.utils.data.distributed import DistributedSampler
        dist.init_process_group(backend="gloo")
        sampler = DistributedSampler(range(4), num_replicas=dist.get_world_size(), rank=dist.get_rank())
        net = DistributedDataParallel(torch.nn.Linear(1, 1))
        t = torch.tensor([1.0])
        dist.all_reduce(t, op=dist.ReduceOp.SUM)
        """)
    assert out == textwrap.dedent("""\
        import mindspore
        from msbridge.torch.distributed import init_process_group, get_world_size, get_rank, all_reduce
        from msbridge.torch.utils.data.distributed import DistributedSampler
        from msbridge.torch.nn.parallel import DistributedDataParallel
        from msbridge.torch.distributed.ReduceOp import SUM
        init_process_group(backend="gloo")
        sampler = DistributedSampler(range(4), num_replicas=get_world_size(), rank=get_rank())
        net = DistributedDataParallel(mindspore.nn.Dense(1, 1))
        t = mindspore.tensor([1.0])
        all_reduce(t, op=SUM)
        """)
    assert all(status == CONVERTED for _, status in uses)


def test_two_twins_of_one_spelling_do_not_shadow_each_other():
    out, _ = _convert("import torch\nwith torch.autocast('cpu', enabled=False):\n    pass\n"
                      "with torch.cuda.amp.autocast(False):\n    pass\n")
    assert "from msbridge.torch import autocast\n" in out and "msbridge.torch.cuda.amp.autocast(False)" in out


TWINS = [(torch.utils.data.DataLoader, msbridge.torch.utils.data.DataLoader),
         (torch.utils.data.TensorDataset, msbridge.torch.utils.data.TensorDataset),
         (torch.utils.data.RandomSampler, msbridge.torch.utils.data.RandomSampler),
         (torch.utils.data.SubsetRandomSampler, msbridge.torch.utils.data.SubsetRandomSampler),
         (torch.utils.data.BatchSampler, msbridge.torch.utils.data.BatchSampler),
         (torch.utils.data.random_split, msbridge.torch.utils.data.random_split),
         (torch.utils.data.distributed.DistributedSampler, msbridge.torch.utils.data.distributed.DistributedSampler),
         (torch.nn.parallel.DistributedDataParallel, msbridge.torch.nn.parallel.DistributedDataParallel),
         (torch.distributed.init_process_group, msbridge.torch.distributed.init_process_group),
         (torch.distributed.all_reduce, msbridge.torch.distributed.all_reduce),
         (torch.amp.GradScaler, mt.amp.GradScaler), (torch.autocast, mt.autocast),
         (torch.cuda.amp.GradScaler, msbridge.torch.cuda.amp.GradScaler),
         (torch.cuda.amp.autocast, msbridge.torch.cuda.amp.autocast),
         (torch.manual_seed, mt.manual_seed), (torch.inference_mode, mt.inference_mode)]


@pytest.mark.parametrize("theirs,ours", TWINS, ids=[t.__name__ for t, _ in TWINS])
def test_twins_take_torchs_arguments(theirs, ours):
    """A converted call passes the user's arguments as written: the twin accepts the same names, in order."""
    names = [p.name for p in inspect.signature(theirs).parameters.values() if not p.name.startswith("_")]
    assert [p.name for p in inspect.signature(ours).parameters.values()][:len(names)] == names


def test_a_removed_move_inside_a_class_holding_framework_objects():
    # pytorch/examples' rpc pipeline shape: the move's value is a converted layer, the device an attribute;
    # removing the call once crashed the binding bookkeeping (it expected a call back)
    out, _ = _convert("""\
        import torch
        class Shard(torch.nn.Module):
            def __init__(self, device, rref):
                super().__init__()
                self.device = torch.device(device)
                self.fc = torch.nn.Linear(2, 2).to(self.device)
                self.x = rref.to_here().to(self.device)
            def forward(self, x):
                return self.fc(x.to(self.device)).cpu()
        """)
    assert "self.fc = mindspore.nn.Dense(2, 2)\n" in out and "self.x = rref.to_here()\n" in out
    assert "return self.fc(x)\n" in out
