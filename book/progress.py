"""How a training run shows its progress: a bar in a notebook, printed lines on the website.

:func:`book.training.train` calls its ``on_epoch`` callback with the
:class:`~book.training.History` after every epoch and knows nothing about where it runs.
This module supplies the callback the chapters pass: :func:`epoch_progress` picks a live
progress bar in a kernel and, on the built website, where no widget can run, a printed
block with one line per epoch.
"""

from __future__ import annotations

from tqdm.auto import tqdm

from book.build_mode import static_mode
from book.training import History
from book.validation import integer


def epoch_summary(history: History) -> str:
    """The last epoch's numbers in one line: "loss 0.123, val_loss 0.145, val_acc 0.957"
    (training loss only, when the run has no validation data).

    Chapter 7, "LeNet: a convolutional network that reads digits": each training run's progress.
    """
    summary = f"loss {history.train_loss[-1]:.3f}"
    if history.val_loss:
        summary += (f", val_loss {history.val_loss[-1]:.3f}, "
                    f"val_acc {history.val_accuracy[-1]:.3f}")
    return summary


class ProgressBar:
    """A tqdm bar over ``epochs`` epochs with the last epoch's numbers beside it; it
    closes itself after the last epoch. One bar for one training run.

    Chapter 7, "LeNet: a convolutional network that reads digits": a training run in a kernel.
    """

    def __init__(self, epochs: int):
        self.epochs = integer(epochs, "epochs", minimum=1)
        self.bar = tqdm(total=self.epochs, desc="training", unit="epoch")

    def __call__(self, history: History) -> None:
        self.bar.set_postfix_str(epoch_summary(history))
        self.bar.update(1)
        if self.bar.n == self.epochs:
            self.bar.close()


class PrintedEpochs:
    """One line per epoch, "epoch   3: loss ...", printed as one block after the last
    epoch: the website's record of a finished run. One instance for one training run.

    Chapter 7, "LeNet: a convolutional network that reads digits": a training run on the website.
    """

    def __init__(self, epochs: int):
        self.epochs = integer(epochs, "epochs", minimum=1)
        self.lines: list[str] = []

    def __call__(self, history: History) -> None:
        self.lines.append(f"epoch {history.epochs:>3}: {epoch_summary(history)}")
        if len(self.lines) == self.epochs:
            print("\n".join(self.lines))


def epoch_progress(epochs: int) -> ProgressBar | PrintedEpochs:
    """The ``on_epoch`` reporter for a run of ``epochs`` epochs in this place: a
    :class:`ProgressBar` in a kernel (Jupyter, Colab), :class:`PrintedEpochs` while the
    book is being built into a website.

    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    return PrintedEpochs(epochs) if static_mode() else ProgressBar(epochs)
