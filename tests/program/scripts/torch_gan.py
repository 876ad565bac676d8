"""A small PyTorch GAN: a generator and a discriminator, each with its own Adam optimizer, alternating
steps on BCE-with-logits losses. Noise and "real" samples come from a seeded numpy generator, so the run
is deterministic given the weights. Written for msbridge's tests (issue 15).
"""
import json
import sys

import numpy as np
import torch
from torch import nn


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 8)
        self.act = nn.ReLU()
        self.out = nn.Linear(8, 2)

    def forward(self, z):
        return self.out(self.act(self.hidden(z)))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 8)
        self.act = nn.LeakyReLU(0.2)
        self.out = nn.Linear(8, 1)

    def forward(self, x):
        return self.out(self.act(self.hidden(x)))


def main(out_path, init=None):
    rng = np.random.default_rng(0)
    netG, netD = Generator(), Discriminator()
    if init is not None:
        init("generator", netG)
        init("discriminator", netD)
    criterion = nn.BCEWithLogitsLoss()
    optG = torch.optim.Adam(netG.parameters(), lr=0.002, betas=(0.5, 0.999))
    optD = torch.optim.Adam(netD.parameters(), lr=0.002, betas=(0.5, 0.999))
    ones = torch.tensor(np.ones((8, 1), np.float32))
    zeros = torch.tensor(np.zeros((8, 1), np.float32))
    d_losses, g_losses = [], []
    for step in range(6):
        real = torch.tensor((rng.standard_normal((8, 2)) * 0.5 + 2.0).astype(np.float32))
        noise = torch.tensor(rng.standard_normal((8, 3)).astype(np.float32))
        # discriminator: real -> 1, generated -> 0
        optD.zero_grad()
        fake = netG(noise)
        lossD = criterion(netD(real), ones) + criterion(netD(fake), zeros)
        lossD.backward()
        optD.step()
        # generator: make the discriminator say 1
        optG.zero_grad()
        lossG = criterion(netD(netG(noise)), ones)
        lossG.backward()
        optG.step()
        d_losses.append(lossD.item())
        g_losses.append(lossG.item())
    with open(out_path, "w") as handle:
        json.dump({"losses": d_losses, "generator_losses": g_losses}, handle)


if __name__ == "__main__":
    main(sys.argv[1])
