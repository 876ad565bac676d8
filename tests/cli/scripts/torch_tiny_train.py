"""A tiny PyTorch training loop for the `msbridge plot script.py` tests.

SGD with StepLR stepped once per epoch. Usage: python torch_tiny_train.py EPOCHS
"""
import sys

import numpy as np
import torch
from torch import nn

EPOCHS = int(sys.argv[1])
STEPS_PER_EPOCH = 4

rng = np.random.default_rng(0)
model = nn.Linear(2, 1)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
for epoch in range(EPOCHS):
    for step in range(STEPS_PER_EPOCH):
        x = torch.tensor(rng.standard_normal((8, 2)).astype(np.float32))
        y = torch.tensor(rng.standard_normal((8, 1)).astype(np.float32))
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    scheduler.step()
