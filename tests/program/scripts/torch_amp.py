"""PyTorch mixed precision and loss scaling, as scripts write it to run on GPU or CPU: autocast enabled
only when CUDA is there, a GradScaler that scales the loss (growing its scale every few steps), the
gradients unscaled before clipping, the step skipped by the scaler on overflow. Written for msbridge's
tests (issue 15); deterministic given the weights (no shuffling).
"""
import json
import sys

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

use_amp = torch.cuda.is_available()


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 16)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))


def main(out_path, init=None):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((24, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0.5).astype(np.int64)
    loader = DataLoader(TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=6)
    model = MLP()
    if init is not None:
        init("model", model)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 8, growth_interval=3)
    losses, scales = [], []
    for epoch in range(2):
        for inputs, labels in loader:
            optimizer.zero_grad()
            with torch.autocast(device_type="cuda", enabled=use_amp):
                logits = model(inputs)
                loss = criterion(logits, labels)
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=2.0)
            scaler.step(optimizer)
            scaler.update()
            losses.append(loss.item())
            scales.append(scaler.get_scale())
    with open(out_path, "w") as handle:
        json.dump({"losses": losses, "scales": scales}, handle)


if __name__ == "__main__":
    main(sys.argv[1])
