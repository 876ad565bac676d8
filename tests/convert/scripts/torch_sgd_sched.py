"""A PyTorch training script, written for the converter tests.

SGD with momentum and a scheduler stepped once per epoch (StepLR,
CosineAnnealingLR) or once per batch (OneCycleLR, which also cycles the
momentum). Usage:
    python torch_sgd_sched.py step|cosine|onecycle
"""
import sys

import numpy as np
import torch
from torch import nn
from torch.optim import lr_scheduler

EPOCHS = 4
STEPS_PER_EPOCH = 3


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))


rng = np.random.default_rng(0)
data = rng.standard_normal((STEPS_PER_EPOCH, 16, 4)).astype(np.float32)
targets = rng.standard_normal((STEPS_PER_EPOCH, 16, 3)).astype(np.float32)

kind = sys.argv[1]
model = Net()
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
if kind == "step":
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    per_batch = False
elif kind == "onecycle":
    scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=0.5, total_steps=EPOCHS * STEPS_PER_EPOCH)
    per_batch = True
else:
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS, eta_min=0.001)
    per_batch = False

for epoch in range(EPOCHS):
    for step in range(STEPS_PER_EPOCH):
        x = torch.tensor(data[step])
        y = torch.tensor(targets[step])
        optimizer.zero_grad()
        output = model(x)
        loss = criterion(output, y)
        loss.backward()
        optimizer.step()
        if per_batch:
            scheduler.step()
    if not per_batch:
        scheduler.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")
