"""Training a classifier, written out: chapter 7's loop.

The loop is a plain function, not a framework: shuffle, then for every mini-batch a
forward pass, the cross-entropy loss, a backward pass and an update (:func:`train_epoch`);
after every epoch the loss and accuracy on the training and validation data go into a
:class:`History`, which :func:`train` hands to an ``on_epoch`` callback if it is given one.
How that progress is shown to a reader is not the loop's business: ``book.progress``
supplies the reporter the chapter passes in.

The module also shows where the gradient of a *shared* weight comes from: a convolution
kernel is used at every position of its input, and its gradient is the sum of the
contributions of all those positions (:func:`weight_gradient_per_position`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from book.validation import integer, real_array


def pick_device() -> torch.device:
    """A CUDA GPU when there is one (Colab with a GPU runtime), else Apple's MPS, else
    the CPU.

    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def images_to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 images (N, H, W) in 0..255 -> float32 tensor (N, 1, H, W) in [0, 1].

    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    images = real_array(images, "images", ndim=3, layout="(N, H, W)")
    return torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)


def standardize(x_train: torch.Tensor, *others: torch.Tensor) -> list[torch.Tensor]:
    """Shift and scale pixels to mean 0 and standard deviation 1, by the training data.

    x_train: (N, C, H, W); others: more tensors (validation, test) scaled with the
    *training* mean and standard deviation, so no information leaks from them. Returns
    the list [x_train, *others] standardized.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    mean, std = x_train.mean(), x_train.std()
    return [(x - mean) / std for x in (x_train, *others)]


def split_validation(images: np.ndarray, labels: np.ndarray, fraction: float = 0.1,
                     seed: int = 0):
    """Hold out a random ``fraction`` of the training data for validation.

    images: (N, ...), labels: (N,)
    -> (train_images, train_labels, val_images, val_labels).
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    order = np.random.default_rng(seed).permutation(len(labels))
    held = int(round(fraction * len(labels)))
    val, train = order[:held], order[held:]
    return images[train], labels[train], images[val], labels[val]


@dataclass
class History:
    """Per-epoch measurements of one training run (lists of floats, one per epoch).

    train_loss/train_accuracy: averages over the epoch's mini-batches, measured while
    the weights were still changing; val_loss/val_accuracy: measured after the epoch;
    seconds: cumulative training time (without the validation passes).
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """

    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    seconds: list = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.train_loss)


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1000,
             device: torch.device | None = None) -> tuple[float, float]:
    """Mean cross-entropy loss and accuracy of ``model`` on x: (N, C, H, W), y: (N,).

    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    batch_size = integer(batch_size, "batch_size", minimum=1)
    device = device or next(model.parameters()).device
    model.eval()
    total_loss, correct = 0.0, 0
    for start in range(0, len(y), batch_size):
        batch = slice(start, start + batch_size)
        xb, yb = x[batch].to(device), y[batch].to(device)
        scores = model(xb)
        total_loss += F.cross_entropy(scores, yb, reduction="sum").item()
        correct += (scores.argmax(dim=1) == yb).sum().item()
    return total_loss / len(y), correct / len(y)


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Predicted classes (N,) for x: (N, C, H, W): inference is only a forward pass.

    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    batch_size = integer(batch_size, "batch_size", minimum=1)
    device = next(model.parameters()).device
    model.eval()
    return torch.cat([model(x[s:s + batch_size].to(device)).argmax(dim=1).cpu()
                      for s in range(0, len(x), batch_size)])


def train_epoch(model: nn.Module, x_train: torch.Tensor, y_train: torch.Tensor,
                updater: torch.optim.Optimizer, batch_size: int,
                order_generator: torch.Generator,
                device: torch.device) -> tuple[float, float]:
    """One pass over the training data, one mini-batch after another in a random order.

    x_train: (N, C, H, W), y_train: (N,) class indices; updater: an optimizer over
    ``model``'s parameters; order_generator: the seeded generator that shuffles.
    Returns the epoch's mean loss and accuracy, each mini-batch measured just before
    its update. Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    model.train()
    total_loss, correct = 0.0, 0
    order = torch.randperm(len(y_train), generator=order_generator)
    for first in range(0, len(order), batch_size):
        batch = order[first:first + batch_size]
        xb, yb = x_train[batch].to(device), y_train[batch].to(device)
        scores = model(xb)                      # forward pass
        loss = F.cross_entropy(scores, yb)      # how wrong: softmax + cross-entropy
        updater.zero_grad()
        loss.backward()                         # gradient of every weight and bias
        updater.step()                          # one step against the gradient
        total_loss += loss.item() * len(batch)
        correct += (scores.argmax(dim=1) == yb).sum().item()
    return total_loss / len(y_train), correct / len(y_train)


def train(model: nn.Module, x_train: torch.Tensor, y_train: torch.Tensor,
          x_val: torch.Tensor | None, y_val: torch.Tensor | None, epochs: int = 10,
          batch_size: int = 64,
          lr: float = 1e-3, optimizer: str = "adam", seed: int = 0,
          device: torch.device | None = None,
          on_epoch: Callable[[History], None] | None = None) -> History:
    """Train ``model`` with mini-batch SGD or Adam on the cross-entropy loss.

    x_train: (N, C, H, W) float, y_train: (N,) int64 class indices; x_val, y_val
    likewise, or both None to skip validation (the history's val_loss and val_accuracy
    stay empty).
    optimizer: "adam" or "sgd" (plain SGD with learning rate ``lr``).
    seed fixes the order of the mini-batches (seed the model's initialisation yourself,
    with ``torch.manual_seed``, before building it).
    device: where to train (default :func:`pick_device`); the model is moved there.
    on_epoch: called with the :class:`History` after every epoch, once it holds that
    epoch's numbers (``book.progress.epoch_progress(epochs)`` shows them to a reader).
    Returns the :class:`History` of per-epoch losses and accuracies.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    epochs = integer(epochs, "epochs", minimum=1)
    batch_size = integer(batch_size, "batch_size", minimum=1)
    if (x_val is None) != (y_val is None):
        raise ValueError("give both x_val and y_val, or neither")
    validate = x_val is not None
    if len(x_train) != len(y_train) or (validate and len(x_val) != len(y_val)):
        raise ValueError("inputs and labels must have the same length: "
                         f"{len(x_train)}/{len(y_train)} and "
                         f"{len(x_val)}/{len(y_val)}")
    device = device or pick_device()
    model.to(device)
    make = torch.optim.Adam if optimizer == "adam" else torch.optim.SGD
    updater = make(model.parameters(), lr=lr)
    order_generator = torch.Generator().manual_seed(seed)
    history = History()
    elapsed = 0.0
    for _ in range(epochs):
        start = time.perf_counter()
        loss, accuracy = train_epoch(model, x_train, y_train, updater, batch_size,
                                     order_generator, device)
        elapsed += time.perf_counter() - start
        history.train_loss.append(loss)
        history.train_accuracy.append(accuracy)
        history.seconds.append(elapsed)
        if validate:
            val_loss, val_accuracy = evaluate(model, x_val, y_val, device=device)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_accuracy)
        if on_epoch is not None:
            on_epoch(history)
    return history


def accuracy_over_seeds(builders: dict, x_train: torch.Tensor, y_train: torch.Tensor,
                        x_test: torch.Tensor, y_test: torch.Tensor, seeds, epochs: int,
                        batch_size: int, lr: float,
                        device: torch.device | None = None) -> dict[str, list[float]]:
    """Test accuracy of several models after the same training budget, once per seed.

    builders: {name: function of no arguments returning a fresh model}; each model is
    built after ``torch.manual_seed(seed)`` and trained with :func:`train` (Adam, the
    given epochs, batch size and learning rate, mini-batch order from the same seed, no
    validation).
    x_train: (N, C, H, W), y_train: (N,); x_test, y_test likewise.
    Returns {name: [test accuracy for each seed, in the order of ``seeds``]}.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    results = {name: [] for name in builders}
    for seed in seeds:
        for name, build in builders.items():
            torch.manual_seed(seed)
            model = build()
            train(model, x_train, y_train, None, None, epochs=epochs,
                  batch_size=batch_size, lr=lr, seed=seed, device=device)
            results[name].append(evaluate(model, x_test, y_test)[1])
    return results


def format_seed_table(results: dict[str, list[float]]) -> str:
    """{name: accuracies over seeds} as a table: mean, standard deviation, lowest,
    highest.

    The standard deviation is the sample one (ddof=1): the spread between seeds.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    lines = [f"{'model':<24} {'mean':>7} {'std':>6} {'lowest':>7} {'highest':>8}"]
    for name, accuracies in results.items():
        values = 100 * np.asarray(accuracies)
        spread = values.std(ddof=1) if len(values) > 1 else 0.0
        lines.append(f"{name:<24} {values.mean():>6.2f}% {spread:>5.2f}% "
                     f"{values.min():>6.2f}% {values.max():>7.2f}%")
    return "\n".join(lines)


# -- weight sharing --------------------------------------------------------------------

def weight_gradient_loop(x: np.ndarray, grad_out: np.ndarray,
                         kernel_size: int) -> np.ndarray:
    """Gradient of a loss with respect to a shared convolution kernel, one position at a
    time.

    x: (N, C, H, W) the layer's (already padded) input; grad_out: (N, F, H_out, W_out)
    the gradient of the loss with respect to the layer's output (stride 1);
    -> (F, C, k, k): the kernel gradient, the sum over every batch example and every
    output position (i, j) of grad_out[n, f, i, j] times the input patch the kernel saw
    there.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    x, grad_out = _check_gradient_shapes(x, grad_out, kernel_size)
    k = kernel_size
    n_examples, filters, height, width = grad_out.shape
    gradient = np.zeros((filters, x.shape[1], k, k))
    for n in range(n_examples):
        for f in range(filters):
            for i in range(height):
                for j in range(width):
                    gradient[f] += grad_out[n, f, i, j] * x[n, :, i:i + k, j:j + k]
    return gradient


def weight_gradient_per_position(x: np.ndarray, grad_out: np.ndarray,
                                 kernel_size: int) -> np.ndarray:
    """Each output position's contribution to the shared kernel's gradient, vectorized.

    x: (N, C, H, W) padded input, grad_out: (N, F, H_out, W_out)
    -> (H_out, W_out, F, C, k, k), summed over the batch; summing over the first two
    axes gives the kernel gradient of :func:`weight_gradient_loop`.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    x, grad_out = _check_gradient_shapes(x, grad_out, kernel_size)
    window = (kernel_size, kernel_size)
    # (N, C, H_out, W_out, k, k): the patch under the kernel at every position
    patches = np.lib.stride_tricks.sliding_window_view(x, window, axis=(2, 3))
    return np.einsum("nfij,ncijab->ijfcab", grad_out, patches)


def _check_gradient_shapes(x, grad_out, kernel_size):
    x = real_array(x, "x", ndim=4, layout="(N, C, H, W)").astype(float)
    grad_out = real_array(grad_out, "grad_out", ndim=4,
                          layout="(N, F, H_out, W_out)").astype(float)
    kernel_size = integer(kernel_size, "kernel_size", minimum=1)
    expected = (x.shape[2] - kernel_size + 1, x.shape[3] - kernel_size + 1)
    if grad_out.shape[0] != x.shape[0] or grad_out.shape[2:] != expected:
        raise ValueError(f"grad_out of shape {grad_out.shape} does not fit an input of "
                         f"shape {x.shape} and a {kernel_size}x{kernel_size} kernel "
                         f"(expected ({x.shape[0]}, F, {expected[0]}, {expected[1]}))")
    return x, grad_out
