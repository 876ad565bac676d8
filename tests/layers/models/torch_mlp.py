from torch import nn


class MLP(nn.Module):
    """An MLP with batch normalisation and dropout."""

    def __init__(self, in_features=20, hidden=32, classes=4):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.bn1 = nn.BatchNorm1d(hidden)
        self.act = nn.ReLU()
        self.drop = nn.Dropout(0.0)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x):
        return self.fc2(self.drop(self.act(self.bn1(self.fc1(x)))))
