"""More of the program around the model, torch -> MindSpore (issue 15): ``(before, after)`` pairs.

``train()``/``eval()`` on a receiver the converter cannot type (``rules.module_mode``), ``state_dict``/
``load_state_dict`` kept (MindSpore 2.10's Cell has torch's), checkpoint dictionaries in torch's own format
(``msbridge.torch.serialization``), the device/process twins found by name, and unused imports sent to
twin modules. Converting the output again changes nothing. That such a program runs without torch and
computes what torch computed: tests/program/test_torch_ports.py (``torch_resume``).
"""
import textwrap

import pytest

from msbridge.convert.report import CONVERTED, REVIEW
from msbridge.convert.source import convert_source


def _convert(before):
    out, report = convert_source(textwrap.dedent(before), "mindspore")
    assert convert_source(out, "mindspore")[0] == out, "converting twice must give the same output"
    return out, [(u.api, u.status) for u in report.uses]


def test_train_eval_on_an_untyped_receiver_decide_at_run_time():
    out, uses = _convert("""\
        import torch


        class Trainer:
            def train(self):
                self.model.train()
                return self


        def evaluate(model, args):
            model.eval()
            args.net.train(False)
            Trainer().train()
            for layer in model.layers:
                layer.train(model, args)   # a user layer's own train(x_pos, x_neg): passed on at run time
            with torch.no_grad():
                return model
        """)
    assert out == textwrap.dedent("""\
        from msbridge.torch.nn.module_mode import module_train, module_eval
        from msbridge.torch import no_grad


        class Trainer:
            def train(self):
                module_train(self.model)
                return self


        def evaluate(model, args):
            module_eval(model)
            module_train(args.net, False)
            Trainer().train()
            for layer in model.layers:
                module_train(layer, model, args)   # a user layer's own train(x_pos, x_neg): passed on at run time
            with no_grad():
                return model
        """)
    assert sorted(uses) == sorted([(".train()", CONVERTED), (".eval()", CONVERTED), (".train()", CONVERTED),
                                   (".train()", CONVERTED), ("torch.no_grad", CONVERTED)])


def test_train_on_a_known_network_is_set_train_and_a_users_own_train_stays():
    out, uses = _convert("""\
        import torch.nn as nn


        class Net(nn.Module):
            def train(self, mode=True):
                return super().train(mode)


        net = nn.Linear(2, 2)
        net.train()
        own = Net()
        own.train()
        """)
    assert "net.set_train()\n" in out and "own.train()\n" in out and "module_train" not in out
    assert "        return super().set_train(mode)\n" in out   # the override reaches the Cell base
    assert uses.count((".train()", CONVERTED)) == 2


def test_checkpoint_dictionaries_keep_torchs_format():
    # the user's own `save` function: the twin is reached through its module, never shadowed
    out, uses = _convert("""\
        import torch


        def save(net, epoch, path):
            torch.save({"net": net.state_dict(), "epoch": epoch}, path)


        def resume(net, path):
            checkpoint = torch.load(path, map_location="cpu")
            net.load_state_dict(checkpoint["net"], strict=True)
            return checkpoint["epoch"]


        def pretrained(net):
            net.load_state_dict(torch.load("weights.pth"))


        def save_checkpoint(state, filename):
            torch.save(state, filename)   # what every call passes: a dict


        def main(net):
            save_checkpoint({"epoch": 2, "net": net.state_dict()}, "last.pt")
        """)
    assert out == textwrap.dedent("""\
        import msbridge.torch.serialization
        from msbridge.torch.serialization import load
        from msbridge.bridge.checkpoint_script import load_mindspore_checkpoint


        def save(net, epoch, path):
            msbridge.torch.serialization.save({"net": net.state_dict(), "epoch": epoch}, path)


        def resume(net, path):
            checkpoint = load(path, map_location="cpu")
            net.load_state_dict(checkpoint["net"], strict=True)
            return checkpoint["epoch"]


        def pretrained(net):
            net.load_state_dict(load_mindspore_checkpoint("weights.pth"))  # msbridge: note: msbridge loader: the script did not write this path itself, so it may be torch's file; read by content


        def save_checkpoint(state, filename):
            msbridge.torch.serialization.save(state, filename)   # what every call passes: a dict


        def main(net):
            save_checkpoint({"epoch": 2, "net": net.state_dict()}, "last.pt")
        """)
    assert all(status == CONVERTED for _, status in uses)
    assert sorted(api for api, _ in uses) == sorted(["torch.save", ".state_dict()", "torch.load", "torch.load",
                                                     ".load_state_dict()", ".load_state_dict()", "torch.save",
                                                     ".state_dict()"])


@pytest.mark.parametrize("line,api,why", [
    ("torch.save(model, 'm.pt')", "torch.save", "a MindSpore Cell is not pickled"),
    ("def keep(obj):\n    torch.save(obj, 'o.pt')\nkeep(build())", "torch.save", "torch pickles any object"),
    ("rms = torch.optim.RMSprop(model.parameters())\nrms.load_state_dict(sd)", ".load_state_dict()",
     "`rms` is an optimizer without msbridge's torch-layout twin"),
    ("model.load_state_dict(sd, assign=True)", ".load_state_dict()", "has no assign"),
])
def test_what_does_not_cross_is_review(line, api, why):
    code = "import torch\nmodel = torch.nn.Linear(2, 2)\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n" \
           "sd = {}\n" + line + "\n"
    out, uses = _convert(code)
    assert (api, REVIEW) in uses and why in out


def test_device_and_process_twins_found_by_name():
    out, uses = _convert("""\
        import torch
        import torch.multiprocessing as mp
        import torch.nn as nn


        def worker(rank, world_size):
            torch.cuda.set_device(rank)
            torch.accelerator.set_device_index(rank)
            backend = torch.distributed.get_default_backend_for_device(torch.device("cpu"))
            torch.backends.cuda.matmul.allow_tf32 = True
            if torch.backends.mps.is_available():
                torch.cuda.empty_cache()
            model = nn.DataParallel(nn.Linear(2, 2))
            with torch.enable_grad():
                pass
            try:
                torch.cuda.synchronize()
            except torch.cuda.OutOfMemoryError:
                print(torch.cuda.memory_summary())


        if __name__ == "__main__":
            mp.set_start_method("spawn", force=True)
            mp.spawn(worker, args=(2,), nprocs=2, join=True)
        """)
    assert "torch." not in out.replace("msbridge.torch.", "").replace("import torch", "")
    assert "matmul.allow_tf32 = True" in out and "from msbridge.torch.backends.cuda import matmul" in out
    assert "spawn(worker, args=(2,), nprocs=2, join=True)" in out
    assert all(status == CONVERTED for _, status in uses), uses
    assert {"torch.enable_grad", "torch.multiprocessing.spawn", "torch.nn.DataParallel", "torch.cuda.set_device",
            "torch.accelerator.set_device_index", "torch.cuda.OutOfMemoryError"} <= {api for api, _ in uses}


def test_an_unused_import_with_a_twin_imports_the_twin():
    out, uses = _convert("""\
        import torch
        import torch.multiprocessing as mp
        from torch.utils.data import DataLoader, Dataset
        import torch.nn as nn
        net = nn.Linear(2, 2)
        """)
    assert out == textwrap.dedent("""\
        import torch  # msbridge: review: torch: imported but unused before the conversion: kept, but it stops the file from running without torch: remove it
        import msbridge.torch.multiprocessing as mp
        from msbridge.torch.utils.data import DataLoader, Dataset
        import mindspore
        net = mindspore.nn.Dense(2, 2)
        """)
    assert ("torch.multiprocessing", CONVERTED) in uses and ("torch.utils.data.Dataset", CONVERTED) in uses
    assert ("torch", REVIEW) in uses   # the bare package has no twin module to import instead


def test_detach_is_stop_gradient():
    out, uses = _convert("""\
        import torch
        import torch.nn as nn
        netG, netD = nn.Linear(2, 2), nn.Linear(2, 1)
        fake = netG(torch.ones(3, 2))
        out = netD(fake.detach())


        def scores(x):
            return x.detach(), torch.detach(x), x.detach().numpy()
        """)
    assert "out = netD(mindspore.ops.stop_gradient(fake))\n" in out
    # the detached tensor is a MindSpore tensor: .numpy() is its asnumpy() (the same in a second run)
    assert "    return detach(x), detach(x), detach(x).asnumpy()\n" in out and "from msbridge.torch import detach\n" in out
    assert uses.count((".detach()", CONVERTED)) == 3 and ("torch.detach", CONVERTED) in uses
    assert (".numpy()", CONVERTED) in uses


def test_optimizer_and_scheduler_state_cross_on_twins():
    """imagenet's resume: an optimizer whose state is saved or loaded goes to msbridge's torch-layout twin (not
    mindspore.nn.SGD) and its state_dict()/load_state_dict() calls, and the scheduler's, are converted; the run:
    tests/program/test_torch_ports.py (``torch_resume_state``), the numbers: tests/torch/test_optimizer_state_resume.py."""
    out, uses = _convert("""\
        import torch


        def main(model, path):
            optimizer = torch.optim.SGD(model.parameters(), 0.1, momentum=0.9)
            scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
            checkpoint = torch.load(path)
            optimizer.load_state_dict(checkpoint['optimizer'])
            scheduler.load_state_dict(checkpoint['scheduler'])
            torch.save({'optimizer': optimizer.state_dict(), 'scheduler': scheduler.state_dict()}, path)
        """)
    assert "# msbridge:" not in out and "mindspore.nn.SGD" not in out
    assert "optimizer = SGD(model.trainable_params(), 0.1, momentum=0.9)" in out
    assert "from msbridge.torch.optim import SGD" in out
    assert [s for a, s in uses if a in (".load_state_dict()", ".state_dict()")] == [CONVERTED] * 4
    assert all(status == CONVERTED for _, status in uses)
