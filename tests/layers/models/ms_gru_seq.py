from mindspore import nn


class GRUTagger(nn.Cell):
    """A sequence model: a GRU over time (time-major) and a per-step linear output."""

    def __init__(self, features=5, hidden=7, outputs=3):
        super().__init__()
        self.gru = nn.GRU(features, hidden)
        self.dropout = nn.Dropout(p=0.0)
        self.out = nn.Dense(hidden, outputs)

    def construct(self, x):
        y, h = self.gru(x)
        return self.out(self.dropout(y))
