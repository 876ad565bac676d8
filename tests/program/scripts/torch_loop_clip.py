"""A functional PyTorch training loop: TensorDataset + DataLoader, SGD with momentum, gradient clipping
by norm (its returned norm logged) and by value. Written for msbridge's tests (issue 15).

``main(out_path, init=None)`` trains and writes the per-step losses and norms as JSON; ``init(name, model)``
lets a test start it from given weights.
"""
import json
import sys

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(6, 8)
        self.act = nn.Tanh()
        self.out = nn.Linear(8, 2)

    def forward(self, x):
        return self.out(self.act(self.hidden(x)))


def train_epoch(model, loader, criterion, optimizer, max_norm):
    losses, norms = [], []
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        total_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
        losses.append(loss.item())
        norms.append(total_norm.item())
    return losses, norms


def train_clip_value(model, loader, criterion, optimizer):
    losses = []
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        nn.utils.clip_grad_value_(model.parameters(), 0.05)
        optimizer.step()
        losses.append(loss.item())
    return losses


def main(out_path, init=None):
    rng = np.random.default_rng(0)
    features = rng.standard_normal((22, 6)).astype(np.float32)
    targets = (features[:, :2] * 3.0 + 0.5).astype(np.float32)
    dataset = TensorDataset(torch.tensor(features), torch.tensor(targets))
    loader = DataLoader(dataset, batch_size=5, shuffle=False, num_workers=0)
    model = Regressor()
    if init is not None:
        init("model", model)
    criterion = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses, norms = [], []
    for epoch in range(2):
        epoch_losses, epoch_norms = train_epoch(model, loader, criterion, optimizer, max_norm=1.0)
        losses += epoch_losses
        norms += epoch_norms
    losses += train_clip_value(model, loader, criterion, optimizer)
    with open(out_path, "w") as handle:
        json.dump({"losses": losses, "norms": norms, "batches": len(loader)}, handle)


if __name__ == "__main__":
    main(sys.argv[1])
