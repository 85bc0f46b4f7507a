"""book.training: the loop learns, is reproducible, reports each epoch, and the
shared-weight gradient equals PyTorch's."""

import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from book import training
from book.models import lenet5


def bright_half_problem(count: int, seed: int):
    """Class 0: the top half of the image is bright; class 1: the bottom half."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, count)
    images = rng.integers(0, 60, (count, 28, 28)).astype(np.uint8)
    for image, label in zip(images, labels, strict=True):
        rows = slice(0, 14) if label == 0 else slice(14, 28)
        image[rows] += 150
    return training.images_to_tensor(images), torch.from_numpy(labels)


def small_net():
    return nn.Sequential(nn.Conv2d(1, 4, 5), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(),
                         nn.Linear(4 * 6 * 6, 2))


def test_the_loop_learns_a_separable_problem():
    x, y = bright_half_problem(256, seed=0)
    x_val, y_val = bright_half_problem(100, seed=1)
    torch.manual_seed(0)
    model = small_net()
    history = training.train(model, x, y, x_val, y_val, epochs=4, batch_size=32,
                             lr=1e-2, device=torch.device("cpu"))
    assert history.epochs == 4 and len(history.val_accuracy) == 4
    assert history.val_accuracy[-1] == 1.0
    assert history.train_loss[-1] < history.train_loss[0]
    assert all(b >= a for a, b in zip(history.seconds, history.seconds[1:], strict=False))
    assert (training.predict(model, x_val) == y_val).all()


def test_sgd_learns_too():
    x, y = bright_half_problem(256, seed=0)
    torch.manual_seed(0)
    history = training.train(small_net(), x, y, x, y, epochs=5, batch_size=16,
                             lr=0.1, optimizer="sgd", device=torch.device("cpu"))
    assert history.val_accuracy[-1] == 1.0


def run(seed):
    x, y = bright_half_problem(128, seed=0)
    torch.manual_seed(0)
    model = small_net()
    history = training.train(model, x, y, x[:32], y[:32], epochs=2, batch_size=16,
                             seed=seed, device=torch.device("cpu"))
    return history, model


def test_on_epoch_is_called_after_every_epoch_with_the_growing_history():
    x, y = bright_half_problem(64, seed=0)
    seen = []

    def on_epoch(history):
        seen.append((history, history.epochs, len(history.val_accuracy),
                     list(history.train_loss)))

    torch.manual_seed(0)
    history = training.train(small_net(), x, y, x, y, epochs=3, batch_size=16,
                             device=torch.device("cpu"), on_epoch=on_epoch)
    assert [(epochs, validated) for _, epochs, validated, _ in seen] == [(1, 1), (2, 2),
                                                                         (3, 3)]
    assert all(reported is history for reported, _, _, _ in seen)
    assert [losses for _, _, _, losses in seen] == [history.train_loss[:1],
                                                    history.train_loss[:2],
                                                    history.train_loss]


def test_the_same_seed_gives_the_same_run():
    (first, model_a), (second, model_b) = run(0), run(0)
    assert first.train_loss == second.train_loss and first.val_loss == second.val_loss
    for a, b in zip(model_a.parameters(), model_b.parameters(), strict=True):
        assert torch.equal(a, b)
    other, _ = run(1)
    assert other.train_loss != first.train_loss


def test_evaluate_matches_a_direct_computation():
    x, y = bright_half_problem(50, seed=3)
    torch.manual_seed(0)
    model = small_net()
    loss, accuracy = training.evaluate(model, x, y, batch_size=7)
    with torch.no_grad():
        scores = model(x)
    assert loss == pytest.approx(F.cross_entropy(scores, y).item(), rel=1e-5)
    assert accuracy == pytest.approx((scores.argmax(1) == y).float().mean().item())
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        training.evaluate(model, x, y, batch_size=0)
    with pytest.raises(ValueError, match="batch_size must be an integer"):
        training.predict(model, x, batch_size=True)


def test_training_without_validation_records_only_training_numbers():
    x, y = bright_half_problem(64, seed=0)
    torch.manual_seed(0)
    history = training.train(small_net(), x, y, None, None, epochs=2, batch_size=16,
                             device=torch.device("cpu"))
    assert len(history.train_loss) == 2
    assert history.val_loss == history.val_accuracy == []
    with pytest.raises(ValueError, match="or neither"):
        training.train(small_net(), x, y, x, None)


def test_accuracy_over_seeds_trains_each_model_once_per_seed():
    x, y = bright_half_problem(128, seed=0)
    x_test, y_test = bright_half_problem(64, seed=1)
    built = []

    def build(kind):
        built.append(kind)
        return small_net() if kind == "net" else nn.Sequential(nn.Flatten(),
                                                               nn.Linear(784, 2))

    builders = {"net": lambda: build("net"), "linear": lambda: build("linear")}
    settings = dict(seeds=(0, 1, 2), epochs=2, batch_size=16, lr=1e-2,
                    device=torch.device("cpu"))
    results = training.accuracy_over_seeds(builders, x, y, x_test, y_test, **settings)
    assert built == ["net", "linear"] * 3
    assert list(results) == ["net", "linear"]
    assert all(len(v) == 3 for v in results.values())
    assert all(0.9 <= a <= 1.0 for a in results["net"])
    torch.manual_seed(1)
    model = small_net()
    training.train(model, x, y, None, None, epochs=2, batch_size=16, lr=1e-2, seed=1,
                   device=torch.device("cpu"))
    assert results["net"][1] == training.evaluate(model, x_test, y_test)[1]
    again = training.accuracy_over_seeds(builders, x, y, x_test, y_test, **settings)
    assert again == results


@pytest.fixture
def one_thread():
    """One thread, as in the chapter (threads spin against each other on small
    batches)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_the_chapter_recipe_learns_fashion_mnist(one_thread):
    """Chapter 7's comparison, cut to one seed, one epoch and a third of the training
    images: both LeNets must land in a sane range on the 10,000 real test images."""
    from book.data import DEBIAN_FASHION_MNIST, load_fashion_mnist

    if not DEBIAN_FASHION_MNIST.exists():
        message = ("Debian package dataset-fashion-mnist is not installed "
                   "(make test installs it)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    fashion = load_fashion_mnist()
    x, x_test = training.standardize(
        training.images_to_tensor(fashion.train_images[:20000]),
        training.images_to_tensor(fashion.test_images))
    y = torch.from_numpy(fashion.train_labels[:20000])
    y_test = torch.from_numpy(fashion.test_labels)
    builders = {"course": lenet5, "modern": lambda: lenet5("relu", "max")}
    results = training.accuracy_over_seeds(builders, x, y, x_test, y_test, seeds=(0,),
                                           epochs=1, batch_size=128, lr=2e-3,
                                           device=torch.device("cpu"))
    for name, (accuracy,) in results.items():
        assert 0.75 < accuracy < 0.95, (name, accuracy)


def test_format_seed_table_gives_mean_spread_and_range():
    table = training.format_seed_table({"a": [0.80, 0.90, 0.85], "b": [0.5, 0.5, 0.5]})
    header, row_a, row_b = table.splitlines()
    assert header.split() == ["model", "mean", "std", "lowest", "highest"]
    assert row_a.split() == ["a", "85.00%", "5.00%", "80.00%", "90.00%"]
    assert row_b.split() == ["b", "50.00%", "0.00%", "50.00%", "50.00%"]


def test_train_rejects_bad_settings():
    x, y = bright_half_problem(8, seed=0)
    with pytest.raises(ValueError, match="optimizer"):
        training.train(small_net(), x, y, x, y, optimizer="rmsprop")
    with pytest.raises(ValueError, match="same length"):
        training.train(small_net(), x, y[:4], x, y)
    with pytest.raises(ValueError, match="epochs must be at least 1, got 0"):
        training.train(small_net(), x, y, x, y, epochs=0)
    with pytest.raises(ValueError, match="batch_size must be an integer, got 1.5"):
        training.train(small_net(), x, y, x, y, batch_size=1.5)


def test_split_validation_and_standardize():
    images = np.arange(100 * 4).reshape(100, 2, 2)
    labels = np.arange(100)
    train_x, train_y, val_x, val_y = training.split_validation(images, labels, 0.2,
                                                               seed=0)
    assert len(val_y) == 20 and len(train_y) == 80
    assert sorted(np.concatenate([train_y, val_y]).tolist()) == list(range(100))
    np.testing.assert_array_equal(train_x[:, 0, 0], train_y * 4)
    with pytest.raises(ValueError, match="fraction"):
        training.split_validation(images, labels, 1.5)
    a, b = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([5.0])
    scaled_a, scaled_b = training.standardize(a, b)
    assert scaled_a.mean().abs() < 1e-6 and scaled_a.std() == pytest.approx(1.0)
    assert scaled_b.item() == pytest.approx((5.0 - 2.0) / 1.0)


def test_images_to_tensor():
    tensor = training.images_to_tensor(np.array([[[0, 255]]], dtype=np.uint8))
    assert tensor.shape == (1, 1, 1, 2) and tensor.dtype == torch.float32
    assert tensor.flatten().tolist() == [0.0, 1.0]
    with pytest.raises(ValueError, match="shape"):
        training.images_to_tensor(np.zeros((28, 28)))


def test_pick_device_returns_a_usable_device():
    device = training.pick_device()
    assert torch.zeros(1, device=device).device.type == device.type


# -- weight sharing --------------------------------------------------------------------

@pytest.mark.parametrize("n, c, f, size, k", [(1, 1, 6, 12, 5), (3, 2, 4, 9, 3)])
def test_shared_weight_gradient_is_the_sum_over_positions(n, c, f, size, k):
    torch.manual_seed(0)
    x = torch.randn(n, c, size, size)
    layer = nn.Conv2d(c, f, k)
    out = layer(x)
    target = torch.randn_like(out)
    ((out - target) ** 2).sum().backward()  # any loss: grad_out is 2 (out - target)
    grad_out = (2 * (out - target)).detach().numpy()
    per_position = training.weight_gradient_per_position(x.numpy(), grad_out, k)
    assert per_position.shape == (size - k + 1, size - k + 1, f, c, k, k)
    np.testing.assert_allclose(per_position.sum(axis=(0, 1)), layer.weight.grad.numpy(),
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(training.weight_gradient_loop(x.numpy(), grad_out, k),
                               layer.weight.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_weight_gradient_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="does not fit"):
        training.weight_gradient_loop(np.zeros((1, 1, 8, 8)), np.zeros((1, 2, 5, 5)), 3)
    with pytest.raises(ValueError, match=r"x must have 4 axes \(N, C, H, W\)"):
        training.weight_gradient_per_position(np.zeros((8, 8)), np.zeros((6, 6)), 3)
    with pytest.raises(ValueError, match="kernel_size must be an integer"):
        training.weight_gradient_loop(np.zeros((1, 1, 8, 8)), np.zeros((1, 2, 6, 6)), True)
