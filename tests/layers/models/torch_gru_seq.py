from torch import nn


class GRUTagger(nn.Module):
    """A sequence model: a GRU over time (time-major) and a per-step linear output."""

    def __init__(self, features=5, hidden=7, outputs=3):
        super().__init__()
        self.gru = nn.GRU(features, hidden)
        self.dropout = nn.Dropout(0.0)
        self.out = nn.Linear(hidden, outputs)

    def forward(self, x):
        y, h = self.gru(x)
        return self.out(self.dropout(y))
