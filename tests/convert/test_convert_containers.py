"""Containers, Parameter, Identity and Cell <-> Module methods (rules/containers.py, rules/methods.py).

(before, after) pairs with ids that say why, calls that must be left for review, and a run test:
one program per direction builds nested containers and asks the framework for parameter names,
module names, children and counts; the converted program must print the same. The converted
programs mention no name of the source framework (checked on the text), so running them in
this process (both frameworks installed) is running them without it; the whole-model tests
(tests/layers/test_model_conversion.py) run containers with the source framework blocked.
"""
import json
import runpy
import sys
import textwrap

import pytest

from msbridge.convert.source import convert_source

PAIRS = [
    ("from mindspore import nn\nseq = nn.SequentialCell([nn.ReLU(), nn.Identity()])\n",
     "import torch\nseq = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Identity())\n", "torch"),
    ("from mindspore import nn\nlayers = [nn.ReLU()]\nlayers += [nn.Identity()]\nseq = nn.SequentialCell(layers)\n",
     "import torch\nlayers = [torch.nn.ReLU()]\nlayers += [torch.nn.Identity()]\nseq = torch.nn.Sequential(*layers)\n",
     "torch"),
    ("from mindspore import nn\nseq = nn.SequentialCell([nn.ReLU() for _ in range(2)])\n",
     "import torch\nseq = torch.nn.Sequential(*[torch.nn.ReLU() for _ in range(2)])\n", "torch"),
    ("from mindspore import nn\nseq = nn.SequentialCell(nn.ReLU(), nn.Identity())\n",
     "import torch\nseq = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Identity())\n", "torch"),
    ("from collections import OrderedDict\nfrom mindspore import nn\n"
     "seq = nn.SequentialCell(OrderedDict([('act', nn.ReLU())]))\n",
     "from collections import OrderedDict\nimport torch\n"
     "seq = torch.nn.Sequential(OrderedDict([('act', torch.nn.ReLU())]))\n", "torch"),
    ("from mindspore import nn\nseq = nn.SequentialCell(\n    [\n        nn.ReLU(),  # first\n        nn.Identity(),\n"
     "    ]\n)\n",
     "import torch\nseq = torch.nn.Sequential(\n        torch.nn.ReLU(),  # first\n        torch.nn.Identity(),\n    )\n",
     "torch"),
    ("from mindspore import nn\ncells = nn.CellList([nn.ReLU()])\ncells.append(nn.Identity())\n",
     "import torch\ncells = torch.nn.ModuleList([torch.nn.ReLU()])\ncells.append(torch.nn.Identity())\n", "torch"),
    ("from mindspore import nn\ncells = nn.CellDict({'act': nn.ReLU()})\n",
     "import torch\ncells = torch.nn.ModuleDict({'act': torch.nn.ReLU()})\n", "torch"),
    ("from torch import nn\nseq = nn.Sequential(nn.ReLU(), nn.Identity())\n",
     "import mindspore\nseq = mindspore.nn.SequentialCell(mindspore.nn.ReLU(), mindspore.nn.Identity())\n", "mindspore"),
    ("from torch import nn\nlayers = [nn.ReLU()]\nseq = nn.Sequential(*layers)\n",
     "import mindspore\nlayers = [mindspore.nn.ReLU()]\nseq = mindspore.nn.SequentialCell(*layers)\n", "mindspore"),
    ("from torch import nn\nmods = nn.ModuleList(nn.ReLU() for _ in range(2))\n",
     "import mindspore\nmods = mindspore.nn.CellList(list(mindspore.nn.ReLU() for _ in range(2)))\n", "mindspore"),
    ("from torch import nn\nmods = nn.ModuleList([nn.ReLU()])\n",
     "import mindspore\nmods = mindspore.nn.CellList([mindspore.nn.ReLU()])\n", "mindspore"),
    ("from torch import nn\nmods = nn.ModuleDict({'act': nn.ReLU()})\n",
     "import mindspore\nmods = mindspore.nn.CellDict({'act': mindspore.nn.ReLU()})\n", "mindspore"),
    ("from torch import nn\n\n\nclass Block(nn.Sequential):\n    def __init__(self):\n"
     "        super().__init__(nn.ReLU(), nn.Identity())\n",
     "import mindspore\n\n\nclass Block(mindspore.nn.SequentialCell):\n    def __init__(self):\n"
     "        super().__init__(mindspore.nn.ReLU(), mindspore.nn.Identity())\n", "mindspore"),
    ("import mindspore\nfrom mindspore import nn\n\n\nclass Net(nn.Cell):\n    def __init__(self):\n"
     "        super().__init__()\n        self.w = mindspore.Parameter(mindspore.tensor([1.0]), name='w', "
     "requires_grad=False)\n",
     "import torch\n\n\nclass Net(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.w = torch.nn.Parameter(torch.tensor([1.0]), requires_grad=False)\n", "torch"),
    ("import torch\nfrom torch import nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.w = nn.Parameter(torch.tensor([1.0]))\n",
     "import mindspore\n\n\nclass Net(mindspore.nn.Cell):\n    def __init__(self):\n        super().__init__()\n"
     "        self.w = mindspore.Parameter(mindspore.tensor([1.0]))\n", "mindspore"),
    ("from mindspore import nn\n\n\ndef f(b) -> nn.SequentialCell:\n    return isinstance(b, nn.SequentialCell)\n",
     "import torch\n\n\ndef f(b) -> torch.nn.Sequential:\n    return isinstance(b, torch.nn.Sequential)\n", "torch"),
    ("from mindspore import nn\n\n\ndef build(layers):\n    return nn.SequentialCell(layers)\n",
     "from msbridge.mindspore.nn import SequentialCell\n\n\ndef build(layers):\n    return SequentialCell(layers)\n",
     "torch"),
    ("import numpy as np\nfrom mindspore import nn, Parameter\n\n\nclass Net(nn.Cell):\n    def __init__(self):\n"
     "        super().__init__()\n        self.w = Parameter(np.zeros(2), name='w')\n",
     "import numpy as np\nimport torch\n\n\nclass Net(torch.nn.Module):\n    def __init__(self):\n"
     "        super().__init__()\n        self.w = torch.nn.Parameter(torch.as_tensor(np.zeros(2)))\n", "torch"),
]
PAIR_IDS = ["seq-list-literal-unpacked", "seq-name-bound-to-lists-starred", "seq-listcomp-starred", "seq-varargs",
            "seq-ordereddict-kept", "seq-multiline-comments-kept", "celllist", "celldict", "sequential-to-ms",
            "sequential-star-to-ms", "modulelist-generator-listed", "modulelist-list", "moduledict",
            "sequential-subclass-varargs", "parameter-name-on-self-attr-dropped", "parameter-to-ms",
            "seq-isinstance-and-annotation-renamed", "seq-of-unknown-shape-to-twin", "parameter-of-numpy-as-tensor"]

NET_MS = "from mindspore import nn\n\n\nclass Net(nn.Cell):\n    def construct(self, x):\n        return x\n\n\nnet = Net()\n"
NET_PT = "from torch import nn\n\n\nclass Net(nn.Module):\n    def forward(self, x):\n        return x\n\n\nnet = Net()\n"
METHODS = [   # (source line on a known net, converted line, target)
    ("ps = net.trainable_params()", "ps = [p for p in net.parameters() if p.requires_grad]", "torch"),
    ("mods = net.cells_and_names()", "mods = net.named_modules()", "torch"),
    ("kids = net.cells()", "kids = list(net.children())", "torch"),
    ("kids = net.name_cells()", "kids = dict(net.named_children())", "torch"),
    ("net.insert_child_to_cell('act', nn.ReLU())", "net.add_module('act', torch.nn.ReLU())", "torch"),
    ("net.set_train(False)", "net.train(False)", "torch"),
    ("ps = net.parameters()", "ps = module_parameters(net)", "mindspore"),   # frozen ones too (an optimizer: trainable)
    ("ps = net.named_parameters()", "ps = named_parameters(net)", "mindspore"),   # torch's names, no statistics
    ("mods = net.named_modules()", "mods = net.cells_and_names()", "mindspore"),
    ("kids = net.children()", "kids = iter(net.cells())", "mindspore"),
    ("kids = net.named_children()", "kids = iter(net.name_cells().items())", "mindspore"),
    ("net.add_module('act', nn.ReLU())", "net.insert_child_to_cell('act', mindspore.nn.ReLU())", "mindspore"),
    ("net.eval()", "net.set_train(False)", "mindspore"),
]

REVIEWS = [   # (source, target, reported api, what the message must say)
    ("from mindspore import nn\nseq = nn.CellList([nn.ReLU()], auto_prefix=False)\n", "torch",
     "mindspore.nn.CellList", "keyword arguments (auto_prefix)"),
    ("from torch import nn\nmods = nn.ModuleDict({'body': nn.Sequential(nn.ReLU())})\n", "mindspore",
     "torch.nn.ModuleDict", "refuses a CellList/SequentialCell/CellDict value"),
    ("import numpy as np\nfrom mindspore import Parameter\nw = Parameter(np.zeros(2), name='w')\n", "torch",
     "mindspore.Parameter", "name= matters to MindSpore here"),
    ("import mindspore\nw = mindspore.Parameter(mindspore.tensor([1.0]), name='w')\n", "torch",
     "mindspore.Parameter", "name= matters to MindSpore here"),
    ("from mindspore import nn\n\n\nclass B(nn.SequentialCell):\n    pass\n", "torch",
     "mindspore.nn.SequentialCell", "which torch's Sequential rejects"),
    (NET_MS + "net.to_float(None)\n", "torch", ".to_float()", "torch has no method that does this"),
    (NET_MS + "net.set_grad()\n", "torch", ".set_grad()", "delete this call"),
    (NET_MS + "ps = net.cells_and_names(None, 'head')\n", "torch", ".cells_and_names()",
     "arguments mean different things"),
    (NET_MS + "ps = net.parameters_and_names()\n", "torch", ".parameters_and_names()", "keeps them as buffers"),
    (NET_MS + "ps = net.get_parameters()\n", "torch", ".get_parameters()", "add buffers()"),
    (NET_PT + "net.add_module(name='a', module=nn.ReLU())\n", "mindspore", ".add_module()", "pass them by position"),
]
REVIEW_IDS = ["celllist-keyword", "moduledict-holding-a-container", "parameter-of-numpy-name-not-on-self",
              "parameter-name-not-on-self", "sequentialcell-base-class", "to_float", "set_grad",
              "method-arguments-differ", "parameters_and_names-buffers",
              "get_parameters-buffers", "add_module-keywords"]


def _converted(before, target):
    out, report = convert_source(before, target)
    assert convert_source(out, target)[0] == out, "a second run must change nothing"
    return out, report


@pytest.mark.parametrize("before,after,target", PAIRS, ids=PAIR_IDS)
def test_convert_containers_pair(before, after, target):
    out, report = _converted(before, target)
    assert out == after
    assert report.complete, report.to_dict()


@pytest.mark.parametrize("line,after,target", METHODS, ids=[f"{m[0].split('(')[0]}-{m[2]}" for m in METHODS])
def test_convert_containers_method_on_a_known_net(line, after, target):
    out, report = _converted((NET_MS if target == "torch" else NET_PT) + line + "\n", target)
    assert out.rstrip("\n").rsplit("\n", 1)[-1] == after
    assert report.complete, report.to_dict()


def test_convert_containers_methods_of_unknown_objects_are_decided_at_run_time():
    out, report = _converted("from mindspore import nn\n\n\ndef f(obj):\n    return obj.cells()\n", "torch")
    assert "return cells(obj)" in out and "from msbridge.bridge.cell_methods import cells" in out
    assert [u.status for u in report.uses if u.api == ".cells()"] == ["converted"]


def test_convert_containers_a_class_defining_the_method_keeps_it():
    before = NET_MS.replace("    def construct", "    def cells(self):\n        return []\n\n    def construct") + \
        "x = net.cells()\n"
    out, _ = _converted(before, "torch")
    assert "x = net.cells()" in out and "# msbridge" not in out


@pytest.mark.parametrize("before,target,api,fragment", REVIEWS, ids=REVIEW_IDS)
def test_convert_containers_review(before, target, api, fragment):
    out, report = _converted(before, target)
    uses = [u for u in report.uses if u.api == api]
    assert uses and uses[0].status == "review", report.to_dict()
    assert fragment in uses[0].message and fragment in out


PROGRAMS = {
    "mindspore": """\
        import json
        import sys
        from collections import OrderedDict

        import numpy as np
        from mindspore import Parameter, nn, tensor


        class Net(nn.Cell):
            def __init__(self):
                super().__init__()
                layers = [nn.Dense(2, 3), nn.ReLU()]
                self.seq = nn.SequentialCell(layers)
                self.lit = nn.SequentialCell([nn.Dense(3, 3), nn.SequentialCell(nn.Dense(3, 2), nn.ReLU())])
                self.named = nn.SequentialCell(OrderedDict([("fc", nn.Dense(2, 2)), ("act", nn.Identity())]))
                self.cl = nn.CellList([nn.Dense(2, 2)])
                self.cl.append(nn.Dense(2, 1))
                self.cl.extend([nn.ReLU()])
                self.cl.insert(0, nn.Identity())
                self.cd = nn.CellDict({"a": nn.Dense(1, 1)})
                self.insert_child_to_cell("extra", nn.Dense(1, 2))
                self.frozen = Parameter(tensor(np.zeros((2,), np.float32)), name="frozen", requires_grad=False)

            def construct(self, x):
                return self.named(self.lit(self.seq(x)))


        net = Net()
        net.set_train(False)
        result = {
            "trainable": [list(p.shape) for p in net.trainable_params()],
            "modules": [name for name, _ in net.cells_and_names()],
            "children": len(net.cells()),
            "child_names": list(net.name_cells().keys()),
            "lengths": [len(net.seq), len(net.cl), len(net.cd), len(net.lit[1])],
            "training": net.training,
        }
        with open(sys.argv[1], "w") as handle:
            json.dump(result, handle)
        """,
    "torch": """\
        import json
        import sys
        from collections import OrderedDict

        import numpy as np
        import torch
        from torch import nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                layers = [nn.Linear(2, 3), nn.ReLU()]
                self.seq = nn.Sequential(*layers)
                self.lit = nn.Sequential(nn.Linear(3, 3), nn.Sequential(nn.Linear(3, 2), nn.ReLU()))
                self.named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Identity())]))
                self.ml = nn.ModuleList(nn.Linear(2, 2) for _ in range(2))
                self.ml.append(nn.Linear(2, 1))
                self.ml.extend([nn.ReLU()])
                self.ml.insert(0, nn.Identity())
                self.md = nn.ModuleDict({"a": nn.Linear(1, 1)})
                self.add_module("extra", nn.Linear(1, 2))
                self.frozen = nn.Parameter(torch.tensor(np.zeros((2,), np.float32)), requires_grad=False)

            def forward(self, x):
                return self.named(self.lit(self.seq(x)))


        net = Net()
        net.eval()
        result = {
            "trainable": [list(p.shape) for p in net.parameters() if p.requires_grad],
            "modules": [name for name, _ in net.named_modules()],
            "children": len(list(net.children())),
            "child_names": [name for name, _ in net.named_children()],
            "lengths": [len(net.seq), len(net.ml), len(net.md), len(net.lit[1])],
            "training": net.training,
        }
        with open(sys.argv[1], "w") as handle:
            json.dump(result, handle)
        """,
}


def _run(path, out):
    argv = sys.argv
    sys.argv = [str(path), str(out)]
    try:
        runpy.run_path(str(path), run_name="__main__")
    finally:
        sys.argv = argv
    return json.loads(out.read_text())


@pytest.mark.parametrize("source", sorted(PROGRAMS))
def test_convert_containers_program_prints_what_the_original_printed(source, tmp_path):
    target = "torch" if source == "mindspore" else "mindspore"
    code = textwrap.dedent(PROGRAMS[source])
    out, report = _converted(code, target)
    assert "# msbridge:" not in out and report.complete, out
    assert f"import {source}" not in out.replace(f"msbridge.{source}", "") and f"from {source}" not in out, \
        "the converted program must not reach the source framework"
    (tmp_path / "original.py").write_text(code)
    (tmp_path / "converted.py").write_text(out)
    original = _run(tmp_path / "original.py", tmp_path / "original.json")
    ours = _run(tmp_path / "converted.py", tmp_path / "converted.json")
    assert ours == original
    assert "lit.1.0" in original["modules"] and ("cd.a" if source == "mindspore" else "md.a") in original["modules"]
    # weight and bias of every Dense/Linear; the frozen Parameter (requires_grad=False) left out on both sides
    assert len(original["trainable"]) == (16 if source == "mindspore" else 18)


def test_convert_containers_source_tensor_method_on_a_loop_variable_goes_to_its_twin():
    """mindcv's weight init (corpus run check): `cell.weight.set_data(...)` over converted cells failed unflagged
    with AttributeError on torch; the receiver is not known: msbridge.bridge.tensor_methods.set_data decides at
    run time (MindSpore's semantics on a torch tensor, measured in tests/bridge/test_parameter_data_twins.py)."""
    before = textwrap.dedent("""\
        from mindspore import nn


        class Net(nn.Cell):
            def __init__(self):
                super().__init__()
                self.fc = nn.Dense(2, 2)
                for _, cell in self.cells_and_names():
                    cell.weight.set_data(cell.weight * 2)
        """)
    out, report = convert_source(before, "torch")
    assert "set_data(cell.weight, cell.weight * 2)" in out and "from msbridge.bridge.tensor_methods import set_data" in out
    assert any(u.api == ".set_data()" and u.status == "converted" for u in report.uses) and report.complete
    assert convert_source(out, "torch")[0] == out


def test_convert_containers_parameters_dict_is_marked_as_torch_modules_lack_it():
    """mstwins helper's find: `net.parameters_dict()` was left unmarked; a torch Module has no such method."""
    import mindspore
    import torch

    assert hasattr(mindspore.nn.Dense(2, 2), "parameters_dict") and not hasattr(torch.nn.Linear(2, 2), "parameters_dict")
    out, report = _converted("from mindspore import nn\n\nnet = nn.Dense(2, 2)\nd = net.parameters_dict()\n", "torch")
    assert [u.status for u in report.uses if u.api == ".parameters_dict()"] == ["review"]
    assert "named_buffers" in out
