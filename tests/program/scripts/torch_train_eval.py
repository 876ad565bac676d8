"""A PyTorch train/evaluate loop in pytorch/examples' shape: a device chosen by CUDA's availability, the
model and every batch moved with ``.to(device)``, ``model.train()``/``model.eval()`` around a BatchNorm
network, evaluation under ``torch.no_grad()``, ``torch.manual_seed``, ``cudnn.benchmark``, and a
shuffled training loader seeded by ``manual_seed`` (its order differs across frameworks: only the
unshuffled run is compared step by step). Written for msbridge's tests (issue 15).
"""
import json
import sys

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(5, 12)
        self.bn = nn.BatchNorm1d(12)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(12, 3)

    def forward(self, x):
        return self.fc2(self.relu(self.bn(self.fc1(x))))


def train(model, device, loader, criterion, optimizer):
    model.train()
    losses = []
    for data, target in loader:
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test(model, device, loader, criterion):
    model.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            total_loss += criterion(output, target).item() * target.shape[0]
            correct += (output.argmax(1) == target).sum().item()
    return total_loss / len(loader.dataset), correct


def main(out_path, init=None, shuffle=False):
    torch.manual_seed(0)
    torch.backends.cudnn.benchmark = True
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    rng = np.random.default_rng(5)
    x = rng.standard_normal((30, 5)).astype(np.float32)
    y = np.argmax(x[:, :3], axis=1)
    dataset = TensorDataset(torch.tensor(x), torch.tensor(y))
    train_loader = DataLoader(dataset, batch_size=8, shuffle=shuffle, drop_last=True)
    test_loader = DataLoader(dataset, batch_size=16)
    model = Net().to(device)
    if init is not None:
        init("model", model)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses, evals = [], []
    for epoch in range(2):
        losses += train(model, device, train_loader, criterion, optimizer)
        evals.append(test(model, device, test_loader, criterion))
    with open(out_path, "w") as handle:
        json.dump({"losses": losses, "eval_losses": [e[0] for e in evals], "device": str(device)}, handle)


if __name__ == "__main__":
    main(sys.argv[1], shuffle=True)
