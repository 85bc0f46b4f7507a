"""LeNet-5 and the networks that followed it, as PyTorch models, and a shape table.

``lenet5()`` is LeNet-5 as the course presents it (tanh, average pooling, C5 a 5x5
convolution, 28x28 inputs padded by 2: 61,706 parameters); ``lenet5("relu", "max")`` is
the modern variant. ``alexnet()`` and ``vgg16()`` are the ImageNet networks of the case
studies. Every model is an ``nn.Sequential`` with named layers, so :func:`layer_table`
can walk it and :func:`feature_maps` can show what each stage makes of an image.

What the 1998 network did differently (LeCun et al., Proceedings of the IEEE 1998):
inputs of 32x32 instead of 28x28 padded by 2; the squashing function 1.7159 tanh(2x/3)
(:class:`ScaledTanh`, available as ``lenet5("scaled_tanh")``); subsampling layers S2
and S4 with a trainable coefficient and bias per map instead of a plain average; C3
connected to only some of S2's maps (a fixed connection table, 1,516 parameters instead
of 2,416); and an output layer of Euclidean radial basis function units with fixed
weights (7x12 bitmaps of the characters, hence F6's 84 units) instead of a linear layer
and softmax. Those last three are not reproduced here.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from book.validation import integer

LENET_ACTIVATIONS = ("tanh", "relu", "sigmoid", "scaled_tanh")
LENET_POOLINGS = ("avg", "max")


class ScaledTanh(nn.Module):
    """LeCun's squashing function ``1.7159 * tanh(2x / 3)``: x: any shape -> same shape.

    The constants make f(1) = 1 and f(-1) = -1, so targets of +-1 sit where the slope is
    still large.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 1.7159 * torch.tanh(2.0 * x / 3.0)


def _activation(name: str) -> nn.Module:
    return {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid,
            "scaled_tanh": ScaledTanh}[name]()


def lenet5(activation: str = "tanh", pooling: str = "avg") -> nn.Sequential:
    """LeNet-5 for 28x28 grey digits: x: (N, 1, 28, 28) -> class scores (N, 10).

    C1 6 kernels 5x5, padding 2 -> (N, 6, 28, 28); S2 2x2 pooling -> (N, 6, 14, 14);
    C3 16 kernels 5x5 -> (N, 16, 10, 10); S4 2x2 pooling -> (N, 16, 5, 5);
    C5 120 kernels 5x5 -> (N, 120, 1, 1); F6 120 -> 84; output 84 -> 10.
    activation: "tanh" (the course), "relu" (modern), "sigmoid" or "scaled_tanh" (1998).
    pooling: "avg" (the course) or "max" (modern).
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    if activation not in LENET_ACTIVATIONS:
        raise ValueError(f"activation must be one of {LENET_ACTIVATIONS}, "
                         f"got {activation!r}")
    if pooling not in LENET_POOLINGS:
        raise ValueError(f"pooling must be one of {LENET_POOLINGS}, got {pooling!r}")
    pool = nn.AvgPool2d if pooling == "avg" else nn.MaxPool2d
    return nn.Sequential(OrderedDict([
        ("C1", nn.Conv2d(1, 6, kernel_size=5, padding=2)),
        ("C1_act", _activation(activation)),
        ("S2", pool(kernel_size=2, stride=2)),
        ("C3", nn.Conv2d(6, 16, kernel_size=5)), ("C3_act", _activation(activation)),
        ("S4", pool(kernel_size=2, stride=2)),
        ("C5", nn.Conv2d(16, 120, kernel_size=5)), ("C5_act", _activation(activation)),
        ("flatten", nn.Flatten()),
        ("F6", nn.Linear(120, 84)), ("F6_act", _activation(activation)),
        ("output", nn.Linear(84, 10)),
    ]))


def alexnet(num_classes: int = 1000, grouped: bool = False) -> nn.Sequential:
    """AlexNet: x: (N, 3, 227, 227) -> scores (N, num_classes).

    Conv-1 96 kernels 11x11 stride 4 -> 55x55; 3x3 max pooling stride 2 -> 27x27;
    Conv-2 256 5x5 padding 2; pool -> 13x13; Conv-3 384, Conv-4 384, Conv-5 256 (3x3,
    padding 1); pool -> 6x6; FC-1 9216 -> 4096, FC-2 4096 -> 4096, FC-3 4096 -> classes.
    Local response normalisation follows Conv-1 and Conv-2, dropout precedes FC-1 and
    FC-2.
    The paper states 224x224 inputs, but only 227 gives its 55x55 maps after Conv-1.
    grouped: as trained on two GPUs, Conv-2, Conv-4 and Conv-5 see only the half of the
    previous layer's maps on their own GPU (groups=2; Conv-3 and the FC layers see all);
    the default is the ungrouped network, as on one GPU.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    num_classes = integer(num_classes, "num_classes", minimum=1)
    groups = 2 if grouped else 1
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(3, 96, kernel_size=11, stride=4)), ("relu1", nn.ReLU()),
        ("norm1", nn.LocalResponseNorm(size=5, alpha=1e-4, beta=0.75, k=2.0)),
        ("pool1", nn.MaxPool2d(kernel_size=3, stride=2)),
        ("conv2", nn.Conv2d(96, 256, kernel_size=5, padding=2, groups=groups)),
        ("relu2", nn.ReLU()),
        ("norm2", nn.LocalResponseNorm(size=5, alpha=1e-4, beta=0.75, k=2.0)),
        ("pool2", nn.MaxPool2d(kernel_size=3, stride=2)),
        ("conv3", nn.Conv2d(256, 384, kernel_size=3, padding=1)), ("relu3", nn.ReLU()),
        ("conv4", nn.Conv2d(384, 384, kernel_size=3, padding=1, groups=groups)),
        ("relu4", nn.ReLU()),
        ("conv5", nn.Conv2d(384, 256, kernel_size=3, padding=1, groups=groups)),
        ("relu5", nn.ReLU()),
        ("pool5", nn.MaxPool2d(kernel_size=3, stride=2)),
        ("flatten", nn.Flatten()),
        ("drop1", nn.Dropout(0.5)), ("fc1", nn.Linear(256 * 6 * 6, 4096)),
        ("relu6", nn.ReLU()),
        ("drop2", nn.Dropout(0.5)), ("fc2", nn.Linear(4096, 4096)),
        ("relu7", nn.ReLU()),
        ("fc3", nn.Linear(4096, num_classes)),
    ]))


VGG16_BLOCKS = ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512))


def vgg16(num_classes: int = 1000) -> nn.Sequential:
    """VGG-16: x: (N, 3, 224, 224) -> scores (N, num_classes).

    Five blocks of 3x3 convolutions (stride 1, padding 1, ReLU) with 64, 128, 256, 512,
    512 filters, each block ending in 2x2 max pooling (stride 2): 224 -> 7; then three
    fully connected layers 25088 -> 4096 -> 4096 -> classes, with dropout.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    num_classes = integer(num_classes, "num_classes", minimum=1)
    layers = OrderedDict()
    channels = 3
    for block, widths in enumerate(VGG16_BLOCKS, start=1):
        for index, width in enumerate(widths, start=1):
            layers[f"conv{block}_{index}"] = nn.Conv2d(channels, width, kernel_size=3,
                                                       padding=1)
            layers[f"relu{block}_{index}"] = nn.ReLU()
            channels = width
        layers[f"pool{block}"] = nn.MaxPool2d(kernel_size=2, stride=2)
    layers["flatten"] = nn.Flatten()
    layers["fc1"] = nn.Linear(512 * 7 * 7, 4096)
    layers["relu_fc1"] = nn.ReLU()
    layers["drop1"] = nn.Dropout(0.5)
    layers["fc2"] = nn.Linear(4096, 4096)
    layers["relu_fc2"] = nn.ReLU()
    layers["drop2"] = nn.Dropout(0.5)
    layers["fc3"] = nn.Linear(4096, num_classes)
    return nn.Sequential(layers)


def parameter_count(model: nn.Module) -> int:
    """Number of trainable numbers (weights and biases) in ``model``.

    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def layer_table(model: nn.Sequential, input_shape: tuple[int, ...],
                skip_parameterless: bool = False) -> list[tuple[str, str, tuple, int]]:
    """Run a zero input through ``model`` layer by layer; record what each layer makes.

    model: an ``nn.Sequential``; input_shape: one example's shape, e.g. (1, 28, 28).
    Returns rows (layer name, layer type, output shape without the batch axis,
    parameters).
    skip_parameterless: leave out layers without parameters (activations, dropout, ...)
    except pooling. Build big models under ``torch.device("meta")`` to get the table
    without allocating their weights.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    if not isinstance(model, nn.Sequential):
        raise ValueError("layer_table walks an nn.Sequential, got "
                         f"{type(model).__name__}")
    device = next(model.parameters()).device
    x = torch.zeros((1, *input_shape), device=device)
    rows = []
    with torch.no_grad():
        for name, layer in model.named_children():
            try:
                x = layer(x)
            except RuntimeError as error:
                kind, shape = type(layer).__name__, tuple(x.shape[1:])
                raise ValueError(f"layer {name} ({kind}) cannot take an input of shape "
                                 f"{shape}: {error}") from None
            count = parameter_count(layer)
            is_pool = isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d))
            if skip_parameterless and count == 0 and not is_pool:
                continue
            rows.append((name, type(layer).__name__, tuple(x.shape[1:]), count))
    return rows


def format_layer_table(rows, total: bool = True) -> str:
    """The rows of :func:`layer_table` as aligned text, with a total line.

    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    lines = [f"{'layer':<10} {'type':<18} {'output shape':<18} {'parameters':>12}"]
    for name, kind, shape, count in rows:
        shape_text = " x ".join(str(s) for s in shape)
        lines.append(f"{name:<10} {kind:<18} {shape_text:<18} {count:>12,}")
    if total:
        lines.append(f"{'total':<48} {sum(r[3] for r in rows):>12,}")
    return "\n".join(lines)


@torch.no_grad()
def feature_maps(model: nn.Sequential, image: torch.Tensor) -> OrderedDict:
    """What each stage of a :func:`lenet5` makes of one image: image (1, H, W) ->
    {stage: array}.

    Stages: "C1", "C3", "C5" (after their activation), "S2", "S4" (pooled maps,
    (C, H, W)), "F6" (84 values) and "output" (10 class probabilities).
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    model.eval()
    device = next(model.parameters()).device
    x = image.reshape(1, *image.shape[-3:]).to(device)
    maps = OrderedDict()
    for name, layer in model.named_children():
        x = layer(x)
        stage = name.removesuffix("_act")
        if name.endswith("_act") or name in ("S2", "S4"):
            maps[stage] = x[0].cpu().numpy()
    maps["output"] = torch.softmax(x[0], dim=0).cpu().numpy()
    return maps


def linear_as_conv(linear: nn.Linear, map_shape: tuple[int, int, int]) -> nn.Conv2d:
    """A fully connected layer as a convolution whose kernel covers the whole map.

    linear: reads a (C, H, W) map flattened to C*H*W values; map_shape: (C, H, W).
    Returns a Conv2d with linear.out_features kernels of C x H x W holding the same
    weights, so on a (N, C, H, W) map it computes the same numbers as ``linear`` on the
    flattened map, shaped (N, out_features, 1, 1); on a larger map it slides.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    channels, height, width = (integer(s, "map_shape", minimum=1) for s in map_shape)
    if linear.in_features != channels * height * width:
        raise ValueError(f"a map of {channels}x{height}x{width} has "
                         f"{channels * height * width} values, the layer reads "
                         f"{linear.in_features}")
    conv = nn.Conv2d(channels, linear.out_features, (height, width),
                     bias=linear.bias is not None, device=linear.weight.device,
                     dtype=linear.weight.dtype)
    with torch.no_grad():
        # Flatten orders values channel, row, column: the kernel's own axis order.
        conv.weight.copy_(linear.weight.reshape(conv.weight.shape))
        if linear.bias is not None:
            conv.bias.copy_(linear.bias)
    return conv


def fully_convolutional(model: nn.Sequential,
                        input_shape: tuple[int, int, int]) -> nn.Sequential:
    """``model`` with its flatten dropped and every Linear made a convolution.

    model: an ``nn.Sequential`` that flattens once, e.g. :func:`lenet5`; input_shape:
    the (C, H, W) it was built for. Returns a network that gives ``model``'s scores,
    shaped (N, classes, 1, 1), on inputs of input_shape, and a map of scores
    (N, classes, H', W'), one per window of input_shape, on larger inputs. Layers
    without weights to convert are shared with ``model``, not copied.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    if not isinstance(model, nn.Sequential):
        raise ValueError("fully_convolutional walks an nn.Sequential, got "
                         f"{type(model).__name__}")
    weight = next(model.parameters())
    x = torch.zeros((1, *input_shape), device=weight.device, dtype=weight.dtype)
    layers = OrderedDict()
    with torch.no_grad():
        for name, layer in model.named_children():
            if isinstance(layer, nn.Flatten):
                continue  # the next Linear reads the map as it is
            if isinstance(layer, nn.Linear):
                layer = linear_as_conv(layer, tuple(x.shape[1:]))
            layers[name] = layer
            x = layer(x)
    return nn.Sequential(layers)
