"""book.progress: the reporter chapter 7 passes to train, as a bar in a kernel and as one
printed block on the static website."""

import pytest
import torch
from torch import nn

from book import progress, training
from book.build_mode import STATIC_ENV_VAR


def tiny_problem():
    torch.manual_seed(0)
    x = torch.randn(32, 1, 4, 4)
    return x, (x.mean(dim=(1, 2, 3)) > 0).long()


def tiny_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 2))


def history_of(*losses):
    return training.History(train_loss=list(losses))


def test_on_the_static_website_progress_is_one_printed_block(monkeypatch, capsys):
    monkeypatch.setenv(STATIC_ENV_VAR, "1")
    x, y = tiny_problem()
    history = training.train(tiny_net(), x, y, x, y, epochs=3, batch_size=16,
                             device=torch.device("cpu"),
                             on_epoch=progress.epoch_progress(3))
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert captured.err == ""  # no bar
    assert [line.split(":")[0] for line in lines] == ["epoch   1", "epoch   2", "epoch   3"]
    assert lines[-1] == (f"epoch   3: loss {history.train_loss[-1]:.3f}, "
                         f"val_loss {history.val_loss[-1]:.3f}, "
                         f"val_acc {history.val_accuracy[-1]:.3f}")


def test_the_printed_block_waits_for_the_last_epoch(capsys):
    report = progress.PrintedEpochs(2)
    report(history_of(0.5))
    assert capsys.readouterr().out == ""
    report(history_of(0.5, 0.25))
    assert capsys.readouterr().out == "epoch   1: loss 0.500\nepoch   2: loss 0.250\n"


def test_in_a_kernel_progress_is_a_bar_that_closes_after_the_last_epoch(monkeypatch,
                                                                        capsys):
    monkeypatch.delenv(STATIC_ENV_VAR, raising=False)
    report = progress.epoch_progress(2)
    assert isinstance(report, progress.ProgressBar)
    report(history_of(0.5))
    assert report.bar.n == 1 and "loss 0.500" in str(report.bar)
    report(history_of(0.5, 0.25))
    assert report.bar.n == 2 and report.bar.disable  # tqdm disables a closed bar
    assert capsys.readouterr().out == ""  # the bar, not printed lines


def test_the_summary_names_validation_numbers_only_when_there_are_some():
    assert progress.epoch_summary(history_of(1.23456)) == "loss 1.235"
    validated = training.History([0.5], [0.8], [0.6], [0.75], [1.0])
    assert progress.epoch_summary(validated) == "loss 0.500, val_loss 0.600, val_acc 0.750"


@pytest.mark.parametrize("reporter", [progress.ProgressBar, progress.PrintedEpochs])
def test_reporters_need_a_positive_whole_number_of_epochs(reporter):
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        reporter(0)
    with pytest.raises(ValueError, match="epochs must be an integer"):
        reporter(2.0)
