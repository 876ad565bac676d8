"""A PyTorch training script in the shapes of pytorch/examples, written for the converter tests.

``train(model, loader, criterion, optimizer)`` computes the loss BEFORE
``optimizer.zero_grad()`` (imagenet's order); ``train_zero_last`` zeroes the
gradients after the step; ``warmup`` sets the LR through ``param_groups``; class labels are int64 (torch's default); SGD has a
weight decay and the model a BatchNorm layer. Writes a JSON summary to argv[1]:
the losses, and which parameters one zero-gradient step changed (weight decay only).
"""
import json
import sys

import numpy as np
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm2d(3)
        self.flat = nn.Flatten()
        self.fc = nn.Linear(12, 4)

    def forward(self, x):
        return self.fc(self.flat(self.bn(x)))


def train(model, loader, criterion, optimizer):
    model.train()
    for images, target in loader:
        output = model(images)
        loss = criterion(output, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return loss.item()


def train_zero_last(model, loader, criterion, optimizer):
    for images, target in loader:
        output = model(images)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return loss.item()


def warmup(optimizer, lr):
    for group in optimizer.param_groups:
        group['lr'] = lr


def zero_gradient_step(model, optimizer, x):
    """One step whose gradients are all zero: only the weight decay moves a parameter."""
    before = [np.array(p.tolist()) for p in model.parameters()]
    optimizer.zero_grad()
    loss = (model(x) * 0.0).sum()
    loss.backward()
    optimizer.step()
    after = [np.array(p.tolist()) for p in model.parameters()]
    return [bool((a != b).any()) for a, b in zip(before, after)]


rng = np.random.default_rng(0)
images = rng.standard_normal((4, 2, 3, 2, 2)).astype(np.float32)
labels = rng.integers(0, 4, size=(4, 2))   # int64, as torch code makes them
loader = [(torch.tensor(images[i]), torch.tensor(labels[i])) for i in range(4)]

model = Net()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.5)
warmup(optimizer, 0.05)
losses = [train(model, loader, criterion, optimizer)]
warmup(optimizer, 0.1)
losses.append(train_zero_last(model, loader, criterion, optimizer))
lr = optimizer.param_groups[0]['lr']
decay_net = Net()
decay_opt = torch.optim.SGD(decay_net.parameters(), lr=0.1, weight_decay=0.5)
changed = zero_gradient_step(decay_net, decay_opt, torch.tensor(images[0]))
with open(sys.argv[1], "w") as out:
    json.dump({"losses": losses, "changed": changed, "lr": lr}, out)
