"""A PyTorch script that resumes optimizer and scheduler state, in pytorch/examples' imagenet shape: SGD with
momentum and weight decay driven by a StepLR; after the first epoch a checkpoint dictionary holds
``model.state_dict()``, ``optimizer.state_dict()`` and ``scheduler.state_dict()``; a NEW model, optimizer and
scheduler load all three (``optimizer.load_state_dict(ckpt['optimizer'])``, ``scheduler.load_state_dict(...)``)
and training continues, so the momentum buffers and the decayed learning rate carry over. The data are split
with ``random_split(..., generator=torch.Generator().manual_seed(42))`` (Pytorch-UNet's shape): the split's
indices are written out. Written for msbridge's tests (issue 15).
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split


def build():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def train_epoch(model, loader, criterion, optimizer, scheduler, lrs):
    losses = []
    for data, target in loader:
        optimizer.zero_grad()
        loss = criterion(model(data), target)
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
        lrs.append(scheduler.get_last_lr()[0])
    return losses


def main(out_path, init=None):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((24, 4)).astype(np.float32)
    y = np.argmax(x[:, :3], axis=1)
    dataset = TensorDataset(torch.tensor(x), torch.tensor(y))
    train_part, val_part = random_split(dataset, [16, 8], generator=torch.Generator().manual_seed(42))
    loader = DataLoader(train_part, batch_size=4)
    criterion = nn.CrossEntropyLoss()
    model = build()
    if init is not None:
        init("model", model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9, weight_decay=1e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    lrs = []
    losses = train_epoch(model, loader, criterion, optimizer, scheduler, lrs)
    path = os.path.join(os.path.dirname(os.path.abspath(out_path)), "resume_state_checkpoint.pth")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(), "epoch": 1}, path)

    resumed = build()
    resumed_optimizer = torch.optim.SGD(resumed.parameters(), lr=0.2, momentum=0.9, weight_decay=1e-3)
    resumed_scheduler = torch.optim.lr_scheduler.StepLR(resumed_optimizer, step_size=3, gamma=0.5)
    checkpoint = torch.load(path)
    resumed.load_state_dict(checkpoint["model"])
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    resumed_scheduler.load_state_dict(checkpoint["scheduler"])
    losses += train_epoch(resumed, loader, criterion, resumed_optimizer, resumed_scheduler, lrs)
    with open(out_path, "w") as handle:
        json.dump({"losses": losses, "lrs": lrs, "split": [list(train_part.indices), list(val_part.indices)],
                   "epoch": checkpoint["epoch"]}, handle)


if __name__ == "__main__":
    main(sys.argv[1])
