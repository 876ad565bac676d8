from torch import nn


class Generator(nn.Module):
    """A DCGAN generator (pytorch/examples style): transposed convolutions up from a latent vector."""

    def __init__(self, nz=8, ngf=4, nc=3):
        super().__init__()
        self.up1 = nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False)
        self.bn1 = nn.BatchNorm2d(ngf * 4)
        self.up2 = nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(ngf * 2)
        self.up3 = nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False)
        self.relu = nn.ReLU()
        self.tanh = nn.Tanh()
        for layer in (self.up1, self.up2, self.up3):
            nn.init.normal_(layer.weight, 0.0, 0.02)

    def forward(self, x):
        x = self.relu(self.bn1(self.up1(x)))
        x = self.relu(self.bn2(self.up2(x)))
        return self.tanh(self.up3(x))


class Discriminator(nn.Module):
    """A DCGAN discriminator: strided convolutions, LeakyReLU, a probability per image."""

    def __init__(self, nc=3, ndf=4):
        super().__init__()
        self.conv1 = nn.Conv2d(nc, ndf, 4, 2, 1, bias=False)
        self.conv2 = nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(ndf * 2)
        self.conv3 = nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False)
        self.lrelu = nn.LeakyReLU(0.2)
        self.sigmoid = nn.Sigmoid()
        self.flatten = nn.Flatten()

    def forward(self, x):
        x = self.lrelu(self.conv1(x))
        x = self.lrelu(self.bn2(self.conv2(x)))
        return self.flatten(self.sigmoid(self.conv3(x)))


class DCGAN(nn.Module):
    """The discriminator's verdict on generated images: both networks in one forward pass."""

    def __init__(self):
        super().__init__()
        self.generator = Generator()
        self.discriminator = Discriminator()

    def forward(self, z):
        return self.discriminator(self.generator(z))
