"""A PyTorch script that checkpoints and resumes, in pytorch/examples' and kuangliu's shape: the model comes
from a factory the converter cannot type (``MODELS[arch]()``) and is wrapped in ``nn.DataParallel``;
``model.train()``/``model.eval()`` on it; a checkpoint dictionary (``{"model": state_dict, "epoch", "losses"}``)
saved with ``torch.save`` and read back with ``torch.load(map_location=...)`` into a NEW model
(``load_state_dict``), whose training then continues; a state_dict file loaded straight into a third model
(``net.load_state_dict(torch.load(path))``); evaluation under ``no_grad`` with an ``enable_grad``
region; the CUDA/TF32 switches and calls guarded by ``cuda.is_available()``; the default process-group
backend for the device. Written for msbridge's tests (issue 15).
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))


MODELS = {"net": Net}


def train_epoch(model, loader, criterion, optimizer):
    model.train()
    losses = []
    for data, target in loader:
        optimizer.zero_grad()
        loss = criterion(model(data), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def evaluate(model, loader, criterion):
    model.eval()
    total = 0.0
    with torch.no_grad():
        for data, target in loader:
            with torch.enable_grad():
                total += criterion(model(data), target).item()
    return total


def build(arch, init=None):
    model = MODELS[arch]()
    if init is not None:
        init("model", model)
    return nn.DataParallel(model)


def main(out_path, init=None):
    torch.manual_seed(0)
    torch.backends.cuda.matmul.allow_tf32 = True
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if torch.cuda.is_available():
        torch.cuda.set_device(0)
        torch.cuda.empty_cache()
    backend = torch.distributed.get_default_backend_for_device(device)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((24, 4)).astype(np.float32)
    y = np.argmax(x[:, :3], axis=1)
    loader = DataLoader(TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=8)
    criterion = nn.CrossEntropyLoss()
    model = build("net", init)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
    losses = train_epoch(model, loader, criterion, optimizer)
    path = os.path.join(os.path.dirname(os.path.abspath(out_path)), "resume_checkpoint.pth")
    torch.save({"model": model.state_dict(), "epoch": 1, "losses": losses}, path)
    weights = os.path.join(os.path.dirname(os.path.abspath(out_path)), "resume_weights.pt")
    torch.save(model.state_dict(), weights)
    reloaded = build("net")
    reloaded.load_state_dict(torch.load(weights))   # a state_dict file loaded straight into a network
    weights_eval = evaluate(reloaded, loader, criterion)

    resumed = build("net")
    checkpoint = torch.load(path, map_location="cpu")
    missing = resumed.load_state_dict(checkpoint["model"])
    optimizer = torch.optim.SGD(resumed.parameters(), lr=0.2)
    losses = checkpoint["losses"] + train_epoch(resumed, loader, criterion, optimizer)
    evaluation = evaluate(resumed, loader, criterion)
    with open(out_path, "w") as handle:
        json.dump({"losses": losses, "eval_loss": [evaluation], "weights_eval": [weights_eval],
                   "epoch": checkpoint["epoch"], "backend": backend,
                   "all_keys_matched": not missing.missing_keys and not missing.unexpected_keys}, handle)


if __name__ == "__main__":
    main(sys.argv[1])
