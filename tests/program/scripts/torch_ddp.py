"""PyTorch data-parallel training as torchrun runs it: a process group, a DistributedSampler giving each
rank its share of every global batch, the model wrapped in DistributedDataParallel (gradients averaged
over the ranks), the loss averaged with all_reduce for logging, rank 0 writing the results. Written
for msbridge's tests (issue 15).

With the global batch split evenly, the run equals a single-process run over the same global batches:
``main(out_path, init=None)`` works with any world size, including 1.
"""
import json
import sys

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

GLOBAL_BATCH = 8


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 6)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(6, 1)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def main(out_path, init=None):
    dist.init_process_group(backend="gloo")
    rank, world_size = dist.get_rank(), dist.get_world_size()
    rng = np.random.default_rng(7)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = (x.sum(axis=1, keepdims=True) * 0.5).astype(np.float32)
    dataset = TensorDataset(torch.tensor(x), torch.tensor(y))
    sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=False)
    loader = DataLoader(dataset, batch_size=GLOBAL_BATCH // world_size, sampler=sampler)
    model = Net()
    if init is not None:
        init("model", model)
    ddp_model = DDP(model)
    criterion = nn.MSELoss()
    optimizer = torch.optim.SGD(ddp_model.parameters(), lr=0.05)
    losses = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(ddp_model(inputs), targets)
            loss.backward()
            optimizer.step()
            logged = torch.tensor(np.array([loss.item()], np.float32))
            dist.all_reduce(logged, op=dist.ReduceOp.SUM)
            losses.append(logged.item() / world_size)
    if rank == 0:
        with open(out_path, "w") as handle:
            json.dump({"losses": losses, "world_size": world_size,
                       "weights": [p.tolist() for p in model.parameters()]}, handle)
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])
