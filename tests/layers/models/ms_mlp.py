from mindspore import nn


class MLP(nn.Cell):
    """An MLP with batch normalisation and dropout."""

    def __init__(self, in_features=20, hidden=32, classes=4):
        super().__init__()
        self.fc1 = nn.Dense(in_features, hidden)
        self.bn1 = nn.BatchNorm1d(hidden, momentum=0.9)
        self.act = nn.ReLU()
        self.drop = nn.Dropout(p=0.0)
        self.fc2 = nn.Dense(hidden, classes)

    def construct(self, x):
        return self.fc2(self.drop(self.act(self.bn1(self.fc1(x)))))
