"""A PyTorch classifier trained from a custom ``Dataset`` with transforms (a composed pipeline of
normalisation, a seeded random flip and a label map), ``random_split`` of a held-out set into validation/test parts,
a ``DataLoader`` with a ``collate_fn``, Adam, ``model.train()``/``model.eval()`` and an
``inference_mode`` evaluation. Written for msbridge's tests (issue 15).

The training set is read in order (no shuffling), so the run is deterministic given the weights;
``main(out_path, init=None)`` writes losses, the split sizes and the validation accuracy.
"""
import json
import sys

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, random_split


class Normalize:
    def __init__(self, mean, std):
        self.mean, self.std = mean, std

    def __call__(self, image):
        return (image - self.mean) / self.std


class RandomFlip:
    """Flips the image left-right with probability p, from its own seeded generator."""

    def __init__(self, p, seed):
        self.p, self.rng = p, np.random.default_rng(seed)

    def __call__(self, image):
        return image[:, :, ::-1].copy() if self.rng.random() < self.p else image


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, image):
        for transform in self.transforms:
            image = transform(image)
        return image


class ShapesDataset(Dataset):
    """Tiny 1x4x4 images whose class is the quadrant holding the bright pixel."""

    def __init__(self, count, transform=None, target_transform=None):
        rng = np.random.default_rng(1)
        self.images = rng.uniform(0, 0.2, (count, 1, 4, 4)).astype(np.float32)
        self.labels = rng.integers(0, 4, count)
        for i, label in enumerate(self.labels):
            self.images[i, 0, (label // 2) * 2, (label % 2) * 2] = 1.0
        self.transform, self.target_transform = transform, target_transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        image, label = self.images[index], int(self.labels[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label


def collate(batch):
    images = np.stack([image for image, _ in batch])
    labels = np.array([label for _, label in batch], dtype=np.int64)
    return torch.tensor(images), torch.tensor(labels)


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, kernel_size=3, padding=1)
        self.relu = nn.ReLU()
        self.flat = nn.Flatten()
        self.fc = nn.Linear(48, 4)

    def forward(self, x):
        return self.fc(self.flat(self.relu(self.conv(x))))


@torch.inference_mode()
def evaluate(model, loader):
    model.eval()
    correct, seen = 0, 0
    for images, labels in loader:
        predicted = model(images).argmax(1)
        correct += (predicted == labels).sum().item()
        seen += labels.shape[0]
    return correct / seen


def main(out_path, init=None):
    transform = Compose([Normalize(0.1, 0.3), RandomFlip(0.5, seed=2)])
    train_loader = DataLoader(ShapesDataset(24, transform=transform, target_transform=lambda label: label % 4),
                              batch_size=6, collate_fn=collate)
    held_out = ShapesDataset(20, transform=Normalize(0.1, 0.3))
    val_part, test_part = random_split(held_out, [0.75, 0.25])
    val_loader = DataLoader(val_part, batch_size=8)
    model = SmallNet()
    if init is not None:
        init("model", model)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for epoch in range(2):
        model.train()
        for images, labels in train_loader:
            optimizer.zero_grad()
            outputs = model(images)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    accuracy = evaluate(model, val_loader)
    with open(out_path, "w") as handle:
        json.dump({"losses": losses, "sizes": [len(val_part), len(test_part)], "accuracy": accuracy}, handle)


if __name__ == "__main__":
    main(sys.argv[1])
