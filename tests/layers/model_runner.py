"""Run converted models with the SOURCE framework unimportable (a sys.meta_path blocker).

Usage: python model_runner.py <blocked framework> <jobs.json>. Each job names a converted
model file, its class, the .npz of weights (target-framework names) and input, and the .npz
to write: outputs (train, then eval), input and parameter gradients (train) and the state
after the passes. It imports only the target framework, numpy and tests/convert/run_blocked.py's blocker.
"""
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np


def cotangent(shape):
    n = int(np.prod(shape)) if shape else 1
    return (np.sin(np.arange(n, dtype=np.float64) * 0.7) + 1.5).astype(np.float32).reshape(shape)


def run_torch(model, weights, x):
    import torch
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            tensor.copy_(torch.from_numpy(weights[name]))
    model.train(True)
    floating = np.issubdtype(x.dtype, np.floating)   # else token ids: int64 for torch, no gradient
    x = x if floating else x.astype(np.int64)
    xt = torch.from_numpy(x).requires_grad_(floating)
    out = model(xt)
    (out * torch.from_numpy(cotangent(tuple(out.shape)))).sum().backward()
    result = {"out_train": out.detach().numpy()}
    if floating:
        result["grad_x"] = xt.grad.numpy()
    result.update({f"grad:{n}": p.grad.numpy() for n, p in model.named_parameters()})
    model.eval()
    with torch.no_grad():
        result["out_eval"] = model(torch.from_numpy(x)).numpy()
    result.update({f"state:{n}": t.numpy() for n, t in model.state_dict().items()})
    return result


def run_mindspore(model, weights, x):
    import mindspore
    for name, param in model.parameters_and_names():
        param.set_data(mindspore.Tensor(weights[name]))
    model.set_train(True)
    params = model.trainable_params()
    names = {id(p): n for n, p in model.parameters_and_names()}

    def forward(inp):
        out = model(inp)
        return (out * mindspore.Tensor(cotangent(tuple(out.shape)))).sum(), out

    floating = np.issubdtype(x.dtype, np.floating)   # else token ids (int32): no gradient
    grad_fn = mindspore.value_and_grad(forward, 0 if floating else None, params, has_aux=True)
    (_, out), grads = grad_fn(mindspore.Tensor(x))
    result = {"out_train": out.asnumpy()}
    if floating:
        grad_x, grads = grads
        result["grad_x"] = grad_x.asnumpy()
    result.update({f"grad:{names[id(p)]}": g.asnumpy() for p, g in zip(params, grads)})
    model.set_train(False)
    result["out_eval"] = model(mindspore.Tensor(x)).asnumpy()
    result.update({f"state:{n}": p.asnumpy() for n, p in model.parameters_and_names()})
    return result


def main(blocked, jobs_file):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "convert"))
    from run_blocked import Blocker   # the one blocker the converted-program runners share

    sys.meta_path.insert(0, Blocker(blocked))
    for job in json.loads(open(jobs_file).read()):
        spec = importlib.util.spec_from_file_location(job["module"], job["path"])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        model = getattr(module, job["class"])()
        data = np.load(job["inputs"])
        weights = {k[len("w:"):]: data[k] for k in data.files if k.startswith("w:")}
        runner = run_torch if blocked == "mindspore" else run_mindspore
        np.savez(job["output"], **runner(model, weights, data["x"]))
    assert blocked not in sys.modules


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
