"""The measured facts behind chapter 7's diagnosis and ablation exercises.

The training curves that exercise 5 shows are stored in the notebook as numbers (a student's
page must not hold a training loop, the answer of exercise 2); the ablation of exercise 6 is
measured by the student, and its answer cell only holds the letter (answer cells must stay
quick). These tests train the same networks with the same protocol and check both.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from book.data import load_mnist_subset
from book.models import lenet5
from book.training import images_to_tensor, standardize

ROOT = Path(__file__).resolve().parents[1]
LENET = ROOT / "solutions" / "07_lenet.ipynb"

# Exercise 5's runs: (model, number of training digits, learning rate), 20 epochs each.
RUNS = {
    "A": (lambda: nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(784, 64), nn.ReLU(),
                                nn.Dropout(0.5), nn.Linear(64, 10)), 4000, 1e-3),
    "B": (lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(),
                                nn.Linear(256, 10)), 200, 1e-3),
    "C": (lambda: nn.Sequential(nn.AvgPool2d(7), nn.Flatten(), nn.Linear(16, 10)), 4000, 1e-2),
}


@pytest.fixture(scope="module")
def digits():
    data = load_mnist_subset()
    x_train, x_test = standardize(images_to_tensor(data.train_images),
                                  images_to_tensor(data.test_images))
    return x_train, torch.from_numpy(data.train_labels), x_test, torch.from_numpy(data.test_labels)


def train(model, x, y, epochs, lr, x_val=None, y_val=None):
    """Adam on mini-batches of 32, shuffled each epoch; per epoch, the training and validation
    losses after it (rounded to 2 decimals) when validation data are given."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    curves = ([], [])
    for _ in range(epochs):
        model.train()
        for batch in torch.randperm(len(y)).split(32):
            loss = F.cross_entropy(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if x_val is not None:
            model.eval()
            with torch.no_grad():
                curves[0].append(round(F.cross_entropy(model(x), y).item(), 2))
                curves[1].append(round(F.cross_entropy(model(x_val), y_val).item(), 2))
    return curves


def stored_curves() -> dict:
    """The CURVES literal of the solution notebook."""
    for cell in nbformat.read(LENET, as_version=4).cells:
        if cell.cell_type != "code" or "CURVES = " not in cell.source:
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "CURVES":
                return ast.literal_eval(node.value)
    raise AssertionError("solutions/07_lenet.ipynb has no CURVES")


@pytest.mark.slow
def test_the_stored_training_curves_are_measured(digits):
    x_train, y_train, x_test, y_test = digits
    torch.set_num_threads(1)
    stored = stored_curves()
    assert sorted(stored) == sorted(RUNS)
    for run, (build, examples, lr) in RUNS.items():
        torch.manual_seed(0)
        measured = train(build(), x_train[:examples], y_train[:examples], 20, lr, x_test,
                         y_test)
        for kind, ours, theirs in zip(("training", "validation"), measured, stored[run]):
            # Another CPU code path may move a rounded value by 0.01.
            assert max(abs(a - b) for a, b in zip(ours, theirs, strict=True)) <= 0.015, (
                f"run {run}, {kind} loss: measured {ours}, stored {theirs}")


def without_tanh():
    return nn.Sequential(*[layer for layer in lenet5() if not isinstance(layer, nn.Tanh)])


def accuracy(model, x, y) -> float:
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tanh_wins_the_ablation_by_1_to_15_points(digits, seed):
    """Exercise 6's answer 3, measured with the exercise's protocol on three seeds."""
    x_train, y_train, x_test, y_test = digits
    torch.set_num_threads(1)
    scores = []
    for build in (lenet5, without_tanh):
        torch.manual_seed(seed)
        model = build()
        train(model, x_train, y_train, 3, 1e-3)
        scores.append(accuracy(model, x_test, y_test))
    assert 0.01 <= scores[0] - scores[1] <= 0.15, f"with tanh {scores[0]}, without {scores[1]}"
