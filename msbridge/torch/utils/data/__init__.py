"""torch.utils.data-shaped API yielding MindSpore tensors: ``from msbridge.torch.utils.data import DataLoader``.

MindSpore's own pipeline (``mindspore.dataset.GeneratorDataset(...).batch(...)``) has other
semantics (column lists instead of samples, its own shuffle buffer, numpy outputs from
``create_tuple_iterator(output_numpy=True)``, no ``collate_fn`` on samples), so a ported
torch program keeps torch's loader contract through these twins.
"""
from msbridge.torch.utils.data.collate import default_collate, default_convert
from msbridge.torch.utils.data.dataloader import DataLoader
from msbridge.torch.utils.data.dataset import (ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset,
                                               random_split)
from msbridge.torch.utils.data.distributed import DistributedSampler
from msbridge.torch.utils.data.sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                                               SubsetRandomSampler)

__all__ = ["BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "DistributedSampler", "IterableDataset",
           "RandomSampler", "Sampler", "SequentialSampler", "Subset", "SubsetRandomSampler", "TensorDataset",
           "default_collate", "default_convert", "random_split"]
