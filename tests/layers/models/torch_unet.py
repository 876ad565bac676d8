from torch import nn


class DoubleConv(nn.Module):
    """(convolution => BatchNorm => ReLU) twice, as in every UNet stage."""

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(x)))


class UNetBlock(nn.Module):
    """One UNet level: down (max-pool + double conv), up (transposed conv), skip connection, double conv.

    The skip connection adds the encoder's features (a concatenation needs torch.cat, not yet a row).
    """

    def __init__(self, in_channels=3, base=4, classes=2):
        super().__init__()
        self.inc = DoubleConv(in_channels, base)
        self.pool = nn.MaxPool2d(2)
        self.down = DoubleConv(base, base * 2)
        self.up = nn.ConvTranspose2d(base * 2, base, kernel_size=2, stride=2)
        self.dec = DoubleConv(base, base)
        self.outc = nn.Conv2d(base, classes, kernel_size=1)

    def forward(self, x):
        skip = self.inc(x)
        x = self.up(self.down(self.pool(skip)))
        return self.outc(self.dec(x + skip))
