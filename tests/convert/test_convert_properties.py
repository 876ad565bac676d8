"""Generated programs: untouched code survives byte for byte, output parses, converting twice changes nothing, and
every framework name written exists (also after converting back).

Programs are random sequences of framework-free chunks (odd quoting, comments,
continuations, decorators, f-strings, blank lines) and framework chunks (LR
functions, optimizers fed a per-step LR, layers, Cell/Module subclasses, an
API with no counterpart). Every framework-free chunk must appear in the output
unchanged and in order.
"""
import ast

from hypothesis import given, settings
from hypothesis import strategies as st

from msbridge.convert.source import convert_source
from real_names import unresolved

COLD = [
    "x = 'single'  # a comment\n",
    'y = "double"\n',
    "z = (1 +\n     2)   # continued\n",
    "def f(a, b=2):\n    return a+b  # odd   spacing\n",
    "\n\n",
    "# just a comment\n",
    "class C:\n    \"\"\"doc\"\"\"\n    value = r'raw\\d'\n",
    "if x:\n    pass\nelse:\n    y = [1,\n  2]\n",
    "@decorator\ndef g(): ...\n",
    "s = f\"{x!r:>10}\"\n",
    "t = \\\n    3\n",
    "for i in range(3): total = i; other = -i\n",
    "def build(nn):  # a parameter, not the framework module\n    return nn.Dense(4, 2)\n",
    "def g():\n    nn = other\n    return nn.ReLU()\n",
]
MINDSPORE = [
    "lr = nn.cosine_decay_lr(0.0, 0.1, 10, 2, 5)\n",
    "fc = nn.Dense(4, 2)\n",
    "opt = nn.Momentum(params, learning_rate=lr, momentum=0.9)\n",
    "act = nn.ReLU()  # activation\n",
    "class Net(nn.Cell):\n    def construct(self, x):\n        return x\n",
    "y = ms.ops.no_such_api(x)\n",
    "sched = nn.ExponentialDecayLR(0.1, 0.9, 4, True)\n",
    "# gradients\ngrad_fn = ms.value_and_grad(fwd, None, opt.parameters)\nloss, grads = grad_fn(x)\nopt(grads)\n",
    "net = nn.Dense(2, 3)\nnet.set_train(False)\nout = net(x).asnumpy()\n",
    "seq = nn.SequentialCell([nn.ReLU(), act])\nseq.set_train()\n",
    "t = ms.tensor(x, ms.float32)\nc = ms.ops.Cast()(t, ms.float32)\nunknown.set_train()\n",
]
TORCH = [
    "sched = lr_scheduler.StepLR(opt, step_size=2)\n",
    "opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n",
    "fc = nn.Linear(4, 2, bias=False)\n",
    "class Net(nn.Module):\n    def forward(self, x):\n        return x\n",
    "y = torch.no_such_api(x)  # keep\n",
    "cyc = lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=10)\n",
    "opt.zero_grad()\nloss = crit(model(x), y)\nloss.backward()\nopt.step()\n",
    "model = nn.Linear(2, 3)\nmodel.eval()\nout = model(x).numpy()\n",
    "body = nn.Sequential(nn.Linear(2, 3), nn.ReLU())\nbody.train()\n",
    "t = torch.tensor(x, dtype=torch.float32)\nframe.eval('a + b')\n",
]
# numpy stays imported: a file whose every import goes away may lose the blank lines after them (cosmetic)
HEADERS = {
    "torch": "import numpy as np\nimport mindspore as ms\nfrom mindspore import nn\n",
    "mindspore": "import numpy as np\nimport torch\nfrom torch import nn\nfrom torch.optim import lr_scheduler\n",
}
POOLS = {"torch": MINDSPORE, "mindspore": TORCH}


def _program(to, picks):
    pool = POOLS[to]
    chunks = [COLD[i % len(COLD)] if kind == "cold" else pool[i % len(pool)] for kind, i in picks]
    return HEADERS[to] + "".join(chunks), [c for (kind, _), c in zip(picks, chunks) if kind == "cold"]


@settings(max_examples=30, deadline=None)
@given(to=st.sampled_from(["torch", "mindspore"]),
       picks=st.lists(st.tuples(st.sampled_from(["cold", "framework"]), st.integers(0, 50)), max_size=14))
def test_convert_properties_untouched_code_idempotence_and_validity(to, picks):
    code, cold = _program(to, picks)
    out, report = convert_source(code, to)
    ast.parse(out)
    position = 0
    for chunk in cold:
        found = out.find(chunk, position)
        assert found >= 0, f"untouched chunk changed or moved: {chunk!r}\n--- output ---\n{out}"
        position = found + len(chunk)
    again, second = convert_source(out, to)
    assert again == out
    if any(kind == "framework" for kind, _ in picks):
        assert report.uses
    # every framework name written exists, also after converting the output back
    back, _ = convert_source(out, "torch" if to == "mindspore" else "mindspore")
    assert unresolved(out) == [] and unresolved(back) == [], (unresolved(out), unresolved(back))


# Idempotence over every script of the test suite: test_convert_idempotence_{even,odd}.py (two halves,
# so the two xdist workers share it).
