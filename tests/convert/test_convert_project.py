"""A tree converted in one run: a file's imports of networks defined by the tree's other files are known
(msbridge.convert.project), so what needs a network of the target framework converts instead of staying
``review``. The MindSpore tree is converted to torch and EXECUTED with MindSpore blocked, against the
original's outputs under MindSpore in this process.
"""
import json
import runpy
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from msbridge.convert.driver import convert_paths
from msbridge.convert.project import Project
from msbridge.convert.report import CONVERTED, REVIEW

MS_TREE = {
    "src/__init__.py": "",
    "src/lenet.py": """\
        from mindspore import nn


        class LeNet5(nn.Cell):
            def __init__(self, num_class=10):
                super().__init__()
                self.fc = nn.Dense(4, num_class)
                self.drop = nn.Dropout(p=0.5)

            def construct(self, x):
                return self.fc(self.drop(x))


        def lenet5(num_class=10):
            net = LeNet5(num_class)
            return net


        def lenet5_plain(num_class=10):
            return LeNet5(num_class)
        """,
    "src/heads.py": """\
        from .lenet import LeNet5


        class Wide(LeNet5):
            pass


        class Frozen(LeNet5):
            def __init__(self):
                super().__init__(3)
                self.set_train(True)
        """,
    "train.py": """\
        import json
        import sys

        import numpy as np
        import mindspore as ms
        from src.heads import Wide

        if len(sys.argv) > 5:   # the model zoo's shape: the factory chosen by configuration
            from src.lenet import lenet5_plain as lenet5
        else:
            from src.lenet import lenet5

        ms.set_seed(0)
        net = lenet5(3)
        ms.save_checkpoint(net, "lenet.ckpt")
        other = lenet5(3)
        param_dict = ms.load_checkpoint("lenet.ckpt")
        ms.load_param_into_net(other, param_dict)
        wide = Wide(3)
        ms.load_param_into_net(wide, param_dict)
        x = ms.Tensor(np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4))
        first = net(x).asnumpy()   # weights are drawn by each framework: compare what they must share
        outs = [np.abs(first - net(x).asnumpy()).max(),     # 0: inference mode, no dropout
                np.abs(first - other(x).asnumpy()).max(),   # 0: the checkpoint round trip
                np.abs(first - wide(x).asnumpy()).max(), first.shape]
        with open(sys.argv[1], "w") as handle:
            json.dump([np.asarray(o).tolist() for o in outs], handle)
        """,
    "evaluate.py": """\
        from src.heads import Frozen, Wide

        net = Wide(3)
        frozen = Frozen()
        """,
}


def _write(root: Path, tree: dict) -> Path:
    for name, text in tree.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def test_project_index_finds_network_classes_factories_and_relative_imports(tmp_path):
    root = _write(tmp_path / "tree", MS_TREE)
    project = Project(sorted(root.rglob("*.py")), root)
    import ast
    seen = project.seen_by(root / "train.py", ast.parse((root / "train.py").read_text()), "mindspore")
    assert seen.qualified == {"src.lenet.lenet5", "src.lenet.lenet5_plain", "src.heads.Wide"}
    assert seen.classes == {"src.heads.Wide"}
    seen = project.seen_by(root / "src" / "heads.py", ast.parse((root / "src" / "heads.py").read_text()), "mindspore")
    assert seen.local == {"LeNet5"} and seen.classes == {"LeNet5"}
    assert project.seen_by(root / "train.py", ast.parse((root / "train.py").read_text()), "torch").qualified == set()


def test_tree_converts_what_needs_a_project_network_and_runs_without_mindspore(tmp_path):
    root = _write(tmp_path / "tree", MS_TREE)
    out = tmp_path / "out"
    report = convert_paths(root, out, to="torch")
    train = (out / "train.py").read_text()
    assert "other.load_state_dict(param_dict, strict=False)" in train
    assert "torch.save(net.state_dict(), \"lenet.ckpt\")" in train
    assert "net = lenet5(3)\n" in train   # the factory's own file writes the mode where it builds the network
    assert "wide = Wide(3).eval()" in train
    assert "return net" in (out / "src" / "lenet.py").read_text() and \
        "net = LeNet5(num_class).eval()" in (out / "src" / "lenet.py").read_text()
    evaluate = (out / "evaluate.py").read_text()   # no framework import, but it builds the tree's networks
    assert "net = Wide(3).eval()" in evaluate and "frozen = Frozen()  # msbridge: review: <default mode>" in evaluate
    statuses = {(f.path, u.api): u.status for f in report.files for u in f.uses}
    assert statuses[("train.py", "mindspore.load_param_into_net")] == CONVERTED
    assert statuses[("evaluate.py", "<default mode>")] == REVIEW   # Frozen sets its own mode: said, not guessed
    assert all(u.status == CONVERTED for f in report.files if f.path != "evaluate.py" for u in f.uses)
    again = tmp_path / "again"
    convert_paths(out, again, to="torch")   # the converted tree converted again: nothing changes
    assert {p.relative_to(out): p.read_text() for p in out.rglob("*.py")} == \
        {p.relative_to(again): p.read_text() for p in again.rglob("*.py")}
    # the original under MindSpore, in this process; the conversion in a subprocess with MindSpore blocked
    reference, ours = tmp_path / "reference.json", tmp_path / "ours.json"
    saved_argv, saved_path, saved_cwd = sys.argv, list(sys.path), Path.cwd()
    try:
        import os
        os.chdir(root)
        sys.argv, sys.path[:0] = ["train.py", str(reference)], [str(root)]
        runpy.run_path("train.py", run_name="__main__")
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
        os.chdir(saved_cwd)
        for name in [m for m in sys.modules if m == "src" or m.startswith("src.")]:
            del sys.modules[name]
    blocked = ("import importlib.abc, runpy, sys\n"
               "class B(importlib.abc.MetaPathFinder):\n"
               "    def find_spec(self, name, path=None, target=None):\n"
               "        if name.split('.')[0] == 'mindspore': raise ImportError(name + ' is blocked')\n"
               "sys.meta_path.insert(0, B()); sys.path.insert(0, '.')\n"
               f"sys.argv = ['train.py', {str(ours)!r}]; runpy.run_path('train.py', run_name='__main__')\n"
               "runpy.run_path('evaluate.py', run_name='__main__')\n"
               "assert 'mindspore' not in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", blocked], cwd=out, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(ours.read_text()) == json.loads(reference.read_text()) == [0.0, 0.0, 0.0, [2, 3]]


def test_torch_tree_to_mindspore_knows_the_model_file_network(tmp_path):
    root = _write(tmp_path / "tree", {
        "models/__init__.py": "",
        "models/net.py": """\
            import torch.nn as nn


            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(4, 2)

                def forward(self, x):
                    return self.fc(x)
            """,
        "main.py": """\
            import torch
            from models.net import Net

            model = Net()
            torch.save(model.state_dict(), "model.pt")
            """,
    })
    out = tmp_path / "out"
    report = convert_paths(root, out, to="mindspore")
    main = (out / "main.py").read_text()
    assert "model = Net().set_train()" in main
    assert all(u.status == CONVERTED for f in report.files for u in f.uses), report.render()


def test_the_index_gathered_by_worker_processes_is_the_one_gathered_here(tmp_path):
    # -j N parses the files in workers (the serial part of a run otherwise); the networks found must not change
    src = tmp_path / "src"
    src.mkdir()
    (src / "__init__.py").write_text("")
    (src / "base.py").write_text("import mindspore.nn as nn\n\n\nclass Base(nn.Cell):\n"
                                 "    def __init__(self):\n        super().__init__()\n        self.set_train(False)\n")
    for i in range(40):
        (src / f"net{i}.py").write_text(
            f"from .base import Base\nfrom src.net{max(i - 1, 0)} import Net{max(i - 1, 0)}\n\n\n"
            f"class Net{i}(Base):\n    pass\n\n\ndef build{i}():\n    net = Net{i}()\n    return net\n")
    (src / "broken.py").write_text("def (:\n")
    files = sorted(tmp_path.rglob("*.py"))
    here, there = Project(files, tmp_path, jobs=1), Project(files, tmp_path, jobs=2)
    assert here.networks == there.networks and here.classes == there.classes
    net39 = (src / "net39.py").resolve()
    assert here.networks[net39] == {"Net39": "mindspore", "build39": "mindspore"}
    assert here.classes[(src / "base.py").resolve()] == {"Base": True}   # its __init__ sets the mode
