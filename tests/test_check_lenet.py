"""The checks of the chapter 7 exercises: check_table, check_model, check_training."""

import re

import pytest
import torch
from torch import nn

from book.check import (
    CheckFailed,
    check_model,
    check_table,
    check_training,
    model_probe,
    probe_input,
    probe_parameters,
)
from book.models import lenet5


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
    assert "✓ build: shapes, parameter count and outputs are correct" in capsys.readouterr().out

    def wider():
        return nn.Sequential(nn.Conv2d(1, 3, 3), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(27, 4))

    with pytest.raises(CheckFailed, match="142 trainable parameters; expected 96"):
        check_model(wider, (3, 1, 8, 8), reference=two_layer_net, name="build")
    with pytest.raises(CheckFailed, match=r"table\(\)\['b'\] is 3, expected 2"):
        check_table(lambda: {"a": 1, "b": 3}, reference=lambda: {"a": 1, "b": 2},
                    name="table")


def lenet_probe():
    return model_probe(lenet5, (2, 1, 28, 28))


@pytest.mark.parametrize("variant", [
    lambda: lenet5("relu"), lambda: lenet5("sigmoid"), lambda: lenet5("scaled_tanh"),
    lambda: lenet5("tanh", "max"), lambda: lenet5("relu", "max"),
    lambda: nn.Sequential(*[m for m in lenet5() if not isinstance(m, nn.Tanh)]),
    lambda: nn.Sequential(lenet5(), nn.Softmax(dim=1)),
], ids=["relu", "sigmoid", "scaled_tanh", "max_pooling", "relu_max", "no_activation",
        "softmax"])
def test_the_probe_tells_apart_what_shapes_cannot(variant, capsys):
    """Every variant has LeNet-5's shapes and parameter count; only the probe catches it."""
    probe = lenet_probe()
    check_model(variant, (2, 1, 28, 28), (2, 10), parameters=61_706, name="build")
    with pytest.raises(CheckFailed, match="computes a different function") as failure:
        check_model(variant, (2, 1, 28, 28), (2, 10), parameters=61_706, probe=probe,
                    name="build")
    assert "\n" not in str(failure.value)


def test_the_probe_names_a_final_softmax_and_the_layers_that_ran():
    with pytest.raises(CheckFailed) as failure:
        check_model(lambda: nn.Sequential(lenet5(), nn.Softmax(dim=1)), (2, 1, 28, 28),
                    (2, 10), probe=lenet_probe(), name="build")
    assert "it ends with a softmax" in str(failure.value)
    assert "runs Conv2d, Tanh, AvgPool2d" in str(failure.value)


class LeNetWrittenOut(nn.Module):
    """LeNet-5 as a class whose layers are created in another order than they run, with
    functional activations and one pooling module used twice."""

    def __init__(self):
        super().__init__()
        self.out = nn.Linear(84, 10)
        self.f6 = nn.Linear(120, 84)
        self.c5 = nn.Conv2d(16, 120, 5)
        self.c3 = nn.Conv2d(6, 16, 5)
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.pool = nn.AvgPool2d(2)

    def forward(self, x):
        x = self.pool(torch.tanh(self.c1(x)))
        x = self.pool(torch.tanh(self.c3(x)))
        x = torch.tanh(self.c5(x)).flatten(1)
        return self.out(torch.tanh(self.f6(x)))


def test_the_same_function_built_another_way_passes(capsys):
    check_model(LeNetWrittenOut, (2, 1, 28, 28), (2, 10), probe=lenet_probe(), name="build")
    assert "✓ build: shapes and outputs are correct" in capsys.readouterr().out
    check_model(LeNetWrittenOut, (3, 1, 28, 28), reference=lenet5, name="build")


def test_a_model_returning_the_published_probe_fails_against_the_reference():
    # The page publishes the first example's output; the reference compares every example.
    published = torch.tensor(lenet_probe(), dtype=torch.float64)

    class Replays(nn.Module):
        def __init__(self):
            super().__init__()
            self.lenet = lenet5()

        def forward(self, x):
            return self.lenet(x) * 0 + published.to(x.dtype)

    check_model(Replays, (2, 1, 28, 28), (2, 10), probe=published.tolist(), name="build")
    with pytest.raises(CheckFailed, match="computes a different function"):
        check_model(Replays, (5, 1, 28, 28), reference=lenet5, name="build")


def test_model_probe_rounds_to_six_digits_within_the_tolerance(capsys):
    probe = lenet_probe()
    assert len(probe) == 10 and str(probe) in capsys.readouterr().out
    assert all(len(f"{abs(value):e}".split("e")[0].replace(".", "").rstrip("0")) <= 6
               for value in probe)


def test_probe_input_and_parameters_are_deterministic():
    assert torch.equal(probe_input((2, 3)), probe_input((2, 3)))
    first, second = lenet5(), lenet5()
    probe_parameters(first)
    probe_parameters(second)
    for a, b in zip(first.parameters(), second.parameters()):
        assert torch.equal(a, b)


@pytest.mark.parametrize("build, words", [
    (lambda: lenet5().double(), "holds float64 parameters"),
    (lambda: lenet5().half(), "holds float16 parameters"),
    (lambda: lenet5().to(torch.bfloat16), "holds bfloat16 parameters"),
    (lambda: nn.Sequential(nn.LazyConv2d(6, 5), nn.Flatten(), nn.LazyLinear(10)),
     "lazy layer (LazyConv2d)"),
    (lambda: lenet5().to("meta"), "on the meta device"),
])
def test_unusable_models_get_their_own_line(build, words):
    with pytest.raises(CheckFailed, match=re.escape(words)) as failure:
        check_model(build, (2, 1, 28, 28), (2, 10), parameters=61_706, probe=[0.0] * 10,
                    name="build")
    assert "\n" not in str(failure.value)


@pytest.mark.parametrize("losses, words", [
    ([None, None], "every loss should be a finite number"),
    ([1.0, float("nan")], "every loss should be a finite number"),
    ([0.5, 0.5], "the last is not below the first"),
    ([0.4, 0.6], "the last is not below the first"),
    ([10 ** 400, 1.0], "every loss should be a finite number"),
])
def test_training_losses_must_be_finite_and_decrease(losses, words):
    with pytest.raises(CheckFailed, match=words):
        check_training(lambda m, x, y, epochs: losses, lambda: nn.Linear(2, 2),
                       separable(8), separable(8), at_least=0.0, name="fit", epochs=2)


def test_training_losses_may_be_tensors(capsys):
    check_training(lambda m, x, y, epochs: [torch.tensor(0.9), torch.tensor(0.2)],
                   lambda: nn.Linear(2, 2), separable(8), separable(8), at_least=0.0,
                   name="fit", epochs=2)
    assert "✓ fit" in capsys.readouterr().out
