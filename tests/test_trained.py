"""book.trained: the explorer's network is trained once, written whole under its file name
in the cache folder, and read back from there afterwards."""

import numpy as np
import pytest
import torch

from book import trained
from book.data import CACHE_ENV_VAR, load_mnist_subset
from book.models import lenet5


@pytest.fixture
def empty_cache(monkeypatch, tmp_path):
    """An empty cache folder and a forgotten in-memory model, before and after."""
    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path))
    trained.explorer_model.cache_clear()
    yield tmp_path
    trained.explorer_model.cache_clear()


def test_the_explorer_model_is_trained_once_then_read_from_the_cache(empty_cache,
                                                                     monkeypatch):
    torch.manual_seed(5)
    state = lenet5().state_dict()
    runs = []
    monkeypatch.setattr(trained, "_train_explorer", lambda: runs.append(1) or state)
    model = trained.explorer_model()
    assert runs == [1] and not model.training
    assert [path.name for path in empty_cache.iterdir()] == [trained.EXPLORER_FILE]
    trained.explorer_model.cache_clear()  # a fresh process: only the file remains
    monkeypatch.setattr(trained, "_train_explorer", lambda: pytest.fail("trained again"))
    again = trained.explorer_model()
    for name, value in state.items():
        assert torch.equal(again.state_dict()[name], value), name


def test_the_explorer_digits_are_the_first_test_digit_of_each_class():
    raw, x = trained.explorer_digits()
    assert raw.shape == (10, 28, 28) and x.shape == (10, 1, 28, 28)
    data = load_mnist_subset()
    for digit in range(10):
        first = np.flatnonzero(data.test_labels == digit)[0]
        np.testing.assert_array_equal(raw[digit], data.test_images[first])
    assert abs(float(x.mean())) < 0.5  # standardized with the training digits' numbers
