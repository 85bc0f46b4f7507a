"""book.models: the syllabus's shapes and parameter counts, against independent sums."""

import pytest
import torch
from torch import nn

from book.models import (
    ScaledTanh,
    alexnet,
    feature_maps,
    format_layer_table,
    layer_table,
    lenet5,
    parameter_count,
    vgg16,
)


def conv(c_in, c_out, k):
    return k * k * c_in * c_out + c_out


def dense(n_in, n_out):
    return n_in * n_out + n_out


@pytest.mark.parametrize("activation, pooling", [
    ("tanh", "avg"), ("relu", "max"), ("sigmoid", "avg"), ("scaled_tanh", "avg")])
def test_lenet5_has_61706_parameters_and_the_syllabus_shapes(activation, pooling):
    model = lenet5(activation, pooling)
    assert parameter_count(model) == 61_706
    assert parameter_count(model) == (conv(1, 6, 5) + conv(6, 16, 5) + conv(16, 120, 5)
                                      + dense(120, 84) + dense(84, 10))
    shapes = {name: shape for name, _, shape, _ in layer_table(model, (1, 28, 28))}
    assert shapes["C1"] == (6, 28, 28) and shapes["S2"] == (6, 14, 14)
    assert shapes["C3"] == (16, 10, 10) and shapes["S4"] == (16, 5, 5)
    assert shapes["C5"] == (120, 1, 1) and shapes["F6"] == (84,)
    assert shapes["output"] == (10,)
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)


def test_the_quiz_six_filters_sit_between_input_and_first_hidden_layer():
    assert lenet5().C1.weight.shape == (6, 1, 5, 5)


def test_lenet5_variants_use_their_activation_and_pooling():
    modern = lenet5("relu", "max")
    assert isinstance(modern.C1_act, nn.ReLU) and isinstance(modern.S2, nn.MaxPool2d)
    course = lenet5()
    assert isinstance(course.C1_act, nn.Tanh) and isinstance(course.S4, nn.AvgPool2d)


def test_scaled_tanh_maps_one_to_one():
    values = ScaledTanh()(torch.tensor([-1.0, 0.0, 1.0, 100.0]))
    torch.testing.assert_close(values, torch.tensor([-1.0, 0.0, 1.0, 1.7159]),
                               atol=2e-4, rtol=0)


@pytest.mark.parametrize("kwargs, message", [({"activation": "elu"}, "activation"),
                                             ({"pooling": "min"}, "pooling")])
def test_lenet5_rejects_unknown_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lenet5(**kwargs)


def test_alexnet_table_matches_the_syllabus():
    with torch.device("meta"):
        model = alexnet()
    rows = layer_table(model, (3, 227, 227), skip_parameterless=True)
    counts = {name: count for name, _, _, count in rows}
    shapes = {name: shape for name, _, shape, _ in rows}
    expected = {"conv1": 34_944, "conv2": 614_656, "conv3": 885_120,
                "conv4": 1_327_488, "conv5": 884_992, "fc1": 37_752_832,
                "fc2": 16_781_312, "fc3": 4_097_000}
    assert {k: v for k, v in counts.items() if v} == expected
    assert shapes["conv1"] == (96, 55, 55) and shapes["conv2"] == (256, 27, 27)
    assert shapes["conv3"] == (384, 13, 13) and shapes["conv5"] == (256, 13, 13)
    assert shapes["pool5"] == (256, 6, 6)
    assert parameter_count(model) == 62_378_344 == sum(expected.values())


def test_grouped_alexnet_halves_the_weights_of_conv2_conv4_conv5():
    with torch.device("meta"):
        grouped, ungrouped = alexnet(grouped=True), alexnet()
    halved = {"conv2": (96, 256, 5), "conv4": (384, 384, 3), "conv5": (384, 256, 3)}
    for name, (c_in, c_out, k) in halved.items():
        assert parameter_count(getattr(grouped, name)) == conv(c_in // 2, c_out, k)
    assert parameter_count(grouped.conv3) == parameter_count(ungrouped.conv3)
    saved = sum(conv(c_in, c_out, k) - conv(c_in // 2, c_out, k)
                for c_in, c_out, k in halved.values())
    assert parameter_count(grouped) == 62_378_344 - saved == 60_965_224
    rows = layer_table(grouped, (3, 227, 227), skip_parameterless=True)
    assert rows[-1][2] == (1000,)


def test_vgg16_has_138357544_parameters():
    with torch.device("meta"):
        model = vgg16()
    assert parameter_count(model) == 138_357_544
    widths = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
    convs = sum(conv(c_in, c_out, 3) for c_in, c_out in zip([3] + widths[:-1], widths, strict=True))
    assert parameter_count(model) == convs + dense(25088, 4096) + dense(4096, 4096) \
        + dense(4096, 1000)
    rows = layer_table(model, (3, 224, 224), skip_parameterless=True)
    assert sum(isinstance(getattr(model, name), nn.Conv2d) for name, *_ in rows) == 13
    assert rows[-1][2] == (1000,)
    assert dict((r[0], r[2]) for r in rows)["pool5"] == (512, 7, 7)


def test_layer_table_agrees_with_running_the_model():
    torch.manual_seed(0)
    model = lenet5()
    rows = layer_table(model, (1, 28, 28))
    assert [r[0] for r in rows] == [name for name, _ in model.named_children()]
    assert sum(r[3] for r in rows) == sum(p.numel() for p in model.parameters())
    text = format_layer_table(rows)
    assert "61,706" in text.splitlines()[-1] and "6 x 28 x 28" in text


def test_layer_table_explains_a_wrong_input_shape():
    with pytest.raises(ValueError, match="cannot take an input"):
        layer_table(lenet5(), (1, 8, 8))
    with pytest.raises(ValueError, match="nn.Sequential"):
        layer_table(nn.Linear(2, 2), (2,))


def test_feature_maps_have_lenet_shapes_and_agree_with_the_model():
    torch.manual_seed(0)
    model = lenet5()
    image = torch.randn(1, 28, 28)
    maps = feature_maps(model, image)
    assert {k: v.shape for k, v in maps.items()} == {
        "C1": (6, 28, 28), "S2": (6, 14, 14), "C3": (16, 10, 10), "S4": (16, 5, 5),
        "C5": (120, 1, 1), "F6": (84,), "output": (10,)}
    with torch.no_grad():
        expected = torch.softmax(model(image[None]), dim=1)[0].numpy()
        c1 = torch.tanh(model.C1(image[None]))[0].numpy()
    assert maps["output"] == pytest.approx(expected, abs=1e-6)
    assert maps["C1"] == pytest.approx(c1, abs=1e-6)


@pytest.mark.parametrize("build", [alexnet, vgg16])
@pytest.mark.parametrize("classes", [0, 2.0, True])
def test_case_study_networks_refuse_a_wrong_number_of_classes(build, classes):
    with pytest.raises(ValueError, match="num_classes must be"):
        with torch.device("meta"):
            build(num_classes=classes)
