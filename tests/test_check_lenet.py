"""The checks of the chapter 7 exercises: check_table, check_model, check_training."""

import pytest
import torch
from torch import nn

from book.check import CheckFailed, check_model, check_table, check_training


def stub():
    raise NotImplementedError()


def test_check_table_passes_and_names_the_wrong_entry(capsys):
    check_table(lambda: {"a": 1, "b": 2}, {"a": 1, "b": 2}, name="table")
    assert "✓ table" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match=r"table\(\)\['b'\] is 3, expected 2"):
        check_table(lambda: {"a": 1, "b": 3}, {"a": 1, "b": 2}, name="table")
    with pytest.raises(CheckFailed, match=r"missing \['b'\]"):
        check_table(lambda: {"a": 1}, {"a": 1, "b": 2}, name="table")
    with pytest.raises(CheckFailed, match="should return a dict"):
        check_table(lambda: [1, 2], {"a": 1, "b": 2}, name="table")
    with pytest.raises(CheckFailed, match="table is not written yet"):
        check_table(stub, {"a": 1}, name="table")


def two_layer_net():
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(18, 4))


def test_check_model_checks_count_output_and_layer_shapes(capsys):
    check_model(two_layer_net, (3, 1, 8, 8), (3, 4), parameters=20 + 76,
                layer_shapes=[(2, 6, 6), (2, 3, 3)], name="build")
    assert "✓ build" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="96 trainable parameters; expected 100"):
        check_model(two_layer_net, (3, 1, 8, 8), (3, 4), parameters=100, name="build")
    with pytest.raises(CheckFailed, match=r"into \(3, 4\); expected shape \(3, 5\)"):
        check_model(two_layer_net, (3, 1, 8, 8), (3, 5), name="build")
    with pytest.raises(CheckFailed, match=r"Conv2d \(2, 6, 6\), MaxPool2d \(2, 3, 3\)"):
        check_model(two_layer_net, (3, 1, 8, 8), (3, 4), layer_shapes=[(2, 6, 6)],
                    name="build")
    with pytest.raises(CheckFailed, match="fails on an input of shape"):
        check_model(two_layer_net, (3, 1, 10, 10), (3, 4), name="build")
    with pytest.raises(CheckFailed, match="not a PyTorch model"):
        check_model(lambda: 42, (1,), (1,), name="build")
    with pytest.raises(CheckFailed, match="build is not written yet"):
        check_model(stub, (1,), (1,), name="build")


def separable(count):
    generator = torch.Generator().manual_seed(count)
    labels = torch.randint(0, 2, (count,), generator=generator)
    noise = torch.randn(count, 2, generator=generator) * 0.1
    inputs = noise + labels[:, None] * 2.0 - 1.0
    return inputs, labels


def fit(model, inputs, labels, epochs=3, lr=0.1):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        loss = nn.functional.cross_entropy(model(inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_check_training_requires_the_accuracy(capsys):
    make = lambda: nn.Linear(2, 2)  # noqa: E731
    check_training(fit, make, separable(64), separable(32), at_least=0.9, name="fit",
                   epochs=20)
    assert "✓ fit" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="expected at least 90%"):
        check_training(fit, make, separable(64), separable(32), at_least=0.9,
                       name="fit", epochs=1, lr=0.0)
    with pytest.raises(CheckFailed, match="one average loss per epoch"):
        check_training(lambda m, x, y, epochs: 0.5, make, separable(8), separable(8),
                       at_least=0.0, name="fit", epochs=2)
    with pytest.raises(CheckFailed, match="fit is not written yet"):
        check_training(lambda m, x, y, epochs: stub(), make, separable(8), separable(8),
                       at_least=0.0, name="fit", epochs=2)


def test_model_and_table_checks_can_take_a_reference(capsys):
    """Hidden checks pass a reference instead of expected values (issue 18)."""
    check_model(two_layer_net, (3, 1, 8, 8), reference=two_layer_net, name="build")
    assert "✓ build: shapes and parameter count are correct" in capsys.readouterr().out

    def wider():
        return nn.Sequential(nn.Conv2d(1, 3, 3), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(27, 4))

    with pytest.raises(CheckFailed, match="142 trainable parameters; expected 96"):
        check_model(wider, (3, 1, 8, 8), reference=two_layer_net, name="build")
    with pytest.raises(CheckFailed, match=r"table\(\)\['b'\] is 3, expected 2"):
        check_table(lambda: {"a": 1, "b": 3}, reference=lambda: {"a": 1, "b": 2},
                    name="table")
