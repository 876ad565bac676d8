from mindspore import nn


class LSTMClassifier(nn.Cell):
    """A text classifier: token embeddings, a bidirectional LSTM, a linear head on the last step."""

    def __init__(self, vocab=20, embed=8, hidden=6, classes=3):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True, bidirectional=True)
        self.fc = nn.Dense(2 * hidden, classes)

    def construct(self, tokens):
        out, _ = self.lstm(self.embedding(tokens))
        return self.fc(out[:, -1])
