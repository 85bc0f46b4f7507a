"""A trained model as data, so that the grader can test it outside the student's process.

Under the grader a training check records the trained model's parameters
(:func:`parameters`: its ``state_dict`` as NumPy arrays) and, in the trusted run of the
solution only, what the grader tests them with: the model's architecture
(:func:`architecture`: a ``torch.export`` program, saved as bytes) and the test data. The
grader then puts a student's parameters into the solution's architecture (:func:`load`)
and measures the accuracy itself (:func:`accuracy`), so a student's record can only say
which weights the training produced, never how good they are.
"""

from __future__ import annotations

import base64
import io

import numpy as np

from book.check.encoding import to_numpy


def parameters(model) -> dict[str, np.ndarray]:
    """A model's ``state_dict`` (parameters and buffers) as arrays, by name; a tensor with no
    values to convert (on the meta device) stays a tensor, which :func:`load` refuses."""
    return {name: _array(value) for name, value in model.state_dict().items()}


def _array(tensor):
    try:
        return to_numpy(tensor)
    except (NotImplementedError, RuntimeError, TypeError):
        return tensor


def architecture(model, inputs) -> str:
    """The model's forward computation as text: base64 of ``torch.export.save``'s bytes.

    model: a module in eval mode; inputs: a batch it reads, (N, ...); the exported program
    accepts any batch size. Its weights are the model's own, replaced by :func:`load`.
    """
    import torch

    # Two examples, copied: a view would save the whole batch's storage with the program.
    example = inputs[:2].clone()
    program = torch.export.export(model, (example,),
                                  dynamic_shapes=({0: torch.export.Dim("batch")},))
    buffer = io.BytesIO()
    torch.export.save(program, buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def load(exported: str, weights: dict):
    """The architecture :func:`architecture` exported, holding ``weights`` (name -> array).

    exported: text from the trusted run only (loading it runs no code of a student's).
    ValueError, with a one-line message, when the weights are not arrays of exactly the
    architecture's names and shapes.
    """
    import torch

    model = torch.export.load(io.BytesIO(base64.b64decode(exported, validate=True))).module()
    if not isinstance(weights, dict) or not all(
            isinstance(name, str) and isinstance(value, np.ndarray)
            and value.dtype.kind in "fiub" for name, value in weights.items()):
        raise ValueError("the trained parameters are not a state_dict of number arrays")
    expected = {name: tuple(value.shape) for name, value in model.state_dict().items()}
    given = {name: tuple(value.shape) for name, value in weights.items()}
    if given != expected:
        wrong = sorted(set(expected) ^ set(given)) or sorted(
            name for name in expected if expected[name] != given[name])
        raise ValueError(f"the trained parameters do not fit the model the check trains "
                         f"(first difference: {wrong[0]!r})")
    model.load_state_dict({name: torch.from_numpy(np.array(value))
                           for name, value in weights.items()})
    return model


def accuracy(model, inputs, labels, threads: int | None = None) -> float:
    """The fraction of ``inputs`` (N, ...) that ``model`` classifies as ``labels`` (N,).

    threads: the number of threads to compute with (the grader's 1: the same weights give
    the same fraction on any machine's core count); None keeps the process's setting.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads or before)
    try:
        with torch.no_grad():
            predicted = model(torch.as_tensor(inputs)).argmax(dim=1)
        return (predicted == torch.as_tensor(labels)).float().mean().item()
    finally:
        torch.set_num_threads(before)
