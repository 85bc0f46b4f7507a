"""book.interactive: live widgets in a kernel and a static player on the site."""

import base64
import hashlib
import html
import io
import json
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from book import interactive
from book.build_mode import STATIC_ENV_VAR, static_mode
from book.interactive import (
    Control,
    Dropdown,
    InteractiveFigure,
    Slider,
    Toggle,
    interactive_figure,
)
from book.interactive.frame_files import frame_file_name, move_frames_to_files, write_frame
from book.interactive.player import script_json
from book.interactive.widget import live_frames


def draw_bar(height=1, colour="black", outline=False):
    """A tiny figure whose pixels depend on every parameter."""
    figure = Figure(figsize=(2, 1.5))
    ax = figure.add_subplot()
    ax.bar([0], [height], color=colour, edgecolor="red" if outline else colour,
           linewidth=4)
    ax.set_ylim(0, 3)
    ax.axis("off")
    return figure


def make(**overrides):
    controls = dict(height=Slider("bar height", [1, 2, 3]),
                    colour=Dropdown("colour", ["black", "green"]),
                    outline=Toggle("outline"))
    controls.update(overrides)
    return interactive_figure(draw_bar, title="Bar", **controls)


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_frames_are_deterministic_and_differ_by_parameter():
    figure = make()
    assert figure.frame(height=2) == figure.frame(height=2)
    frames = {figure.frame(height=h, colour=c, outline=o)
              for h in (1, 2, 3) for c in ("black", "green") for o in (False, True)}
    assert len(frames) == 12


def test_controls_are_classes_that_start_where_they_are_told():
    slider = Slider("n", range(3, 6))
    assert isinstance(slider, Control) and slider.kind == "slider"
    assert slider.options == (3, 4, 5) and slider.value == 3
    menu = Dropdown("colour", ["black", "green"], value="green")
    assert menu.kind == "dropdown" and menu.start_index == 1
    switch = Toggle("outline", True)
    assert switch.kind == "toggle" and switch.options == (False, True) and switch.value
    assert Toggle("outline").value is False
    assert Slider("n", [1, 2]) != Dropdown("n", [1, 2])
    counted = Slider("n", np.arange(3, 6), value=np.int64(4))
    assert counted.options == (3, 4, 5) and counted.value == 4
    assert {type(o) for o in counted.options + (counted.value,)} == {int}
    with pytest.raises(TypeError, match="use Slider, Dropdown or Toggle"):
        Control("n", (1, 2), 1)


def test_bad_declarations_get_clear_errors():
    with pytest.raises(ValueError, match="start value 5 is not one of its options"):
        Slider("n", [1, 2], value=5)
    with pytest.raises(ValueError, match="options must be int, float, str or bool"):
        Slider("n", [[1], [2]])
    with pytest.raises(ValueError, match="must be given a Slider, Dropdown or Toggle"):
        interactive_figure(draw_bar, height=[1, 2])
    with pytest.raises(ValueError, match="keep the grid under"):
        interactive_figure(draw_bar, height=Slider("h", range(30)),
                           colour=Dropdown("c", [str(i) for i in range(30)]))
    with pytest.raises(ValueError, match="no parameter"):
        make().frame(width=3)


def test_draw_must_return_a_figure():
    figure = interactive_figure(lambda n: None, n=Slider("n", [1]))
    with pytest.raises(TypeError, match="must return a matplotlib Figure"):
        figure.frame()


def parse_player(markup):
    data = json.loads(re.search(r'<script type="application/json" '
                                r'class="book-interactive-data">(.*?)</script>',
                                markup).group(1))
    spec = json.loads(html.unescape(re.search(r'data-spec="([^"]*)"', markup).group(1)))
    return data, spec


def from_data_url(url: str) -> bytes:
    assert url.startswith("data:image/png;base64,")
    return base64.b64decode(url.split(",", 1)[1])


def test_static_player_holds_every_frame_with_alt_text():
    figure = make()
    markup = figure.to_html()
    data, spec = parse_player(markup)
    assert spec["draw"] == f"{__name__}:draw_bar"
    assert [p["name"] for p in spec["params"]] == ["height", "colour", "outline"]
    assert len(data["index"]) == 12
    key = "2|1|1"  # height=3, colour=green, outline=True
    frame = data["frames"][data["index"][key]]
    expected = figure.frame(height=3, colour="green", outline=True)
    assert np.array_equal(pixels(from_data_url(frame)), pixels(expected))
    assert data["alts"][key] == "Bar: bar height = 3, colour = green, outline = on"
    assert data["alts"]["0|0|0"] == "Bar: bar height = 1, colour = black, outline = off"


def test_static_player_starts_at_the_start_values():
    figure = make(height=Slider("bar height", [1, 2, 3], value=3),
                  colour=Dropdown("colour", ["black", "green"], value="green"))
    markup = figure.to_html()
    data, _ = parse_player(markup)
    start = data["frames"][data["index"]["2|1|0"]]
    assert np.array_equal(pixels(from_data_url(start)),
                          pixels(figure.frame(height=3, colour="green")))
    alt = re.search(r'<img class="book-interactive-frame" [^>]*alt="([^"]+)"', markup)
    assert html.unescape(alt.group(1)) == figure.alt_text(height=3, colour="green")
    assert 'value="2" data-labels' in markup and '<option value="1" selected>' in markup


def test_the_page_inlines_player_js_as_it_is():
    markup = make().to_html()
    uid = re.search(r'<div class="book-interactive" id="([^"]+)"', markup).group(1)
    script = re.search(r"<script>(.*?)</script>", markup, re.S).group(1)
    source = Path(interactive.__file__).with_name("player.js").read_text("utf-8")
    assert "__UID__" in source
    assert script == source.replace("__UID__", uid)


def test_every_control_has_a_visible_label():
    markup = make().to_html()
    ids = re.findall(r'<(?:input|select) [^>]*id="([^"]+)"', markup)
    assert len(ids) == 3
    for control_id in ids:
        assert f'<label for="{control_id}">' in markup
    assert 'type="range"' in markup and "<select" in markup
    assert 'type="checkbox"' in markup


def test_identical_frames_are_stored_once():
    figure = interactive_figure(lambda n: draw_bar(height=1), title="same",
                                n=Slider("n", [1, 2, 3]))
    data, _ = parse_player(figure.to_html())
    assert len(data["index"]) == 3 and len(data["frames"]) == 1


def test_live_widget_redraws_when_a_control_moves():
    pytest.importorskip("ipywidgets")
    figure = make()
    box = figure.widget()
    image = box.children[1]
    before = image.value
    box.inputs["height"].value = 3
    assert image.value != before
    assert np.array_equal(pixels(image.value), pixels(figure.frame(height=3)))
    box.inputs["outline"].value = True
    assert np.array_equal(pixels(image.value),
                          pixels(figure.frame(height=3, outline=True)))


def draw_bar_in_place(height=1, colour="black", outline=False):
    return draw_bar(height, colour, outline)


def update_bar(figure, height=1, colour="black", outline=False):
    """Redraw draw_bar's bar on the same axes; counts its calls."""
    update_bar.calls += 1
    ax = figure.axes[0]
    ax.patches[0].remove()
    ax.bar([0], [height], color=colour, edgecolor="red" if outline else colour,
           linewidth=4)


draw_bar_in_place.update = update_bar


def test_live_widget_updates_one_figure_when_draw_offers_an_update():
    pytest.importorskip("ipywidgets")
    update_bar.calls = 0
    figure = interactive_figure(draw_bar_in_place, title="Bar",
                                height=Slider("bar height", [1, 2, 3]),
                                outline=Toggle("outline"))
    box = figure.widget()
    image = box.children[1]
    for height, outline in [(3, False), (3, True), (1, True), (2, False)]:
        box.inputs["height"].value = height
        box.inputs["outline"].value = outline
        assert np.array_equal(pixels(image.value),
                              pixels(figure.frame(height=height, outline=outline)))
    # one update for the first frame, then one per changed value (5 changes above)
    assert update_bar.calls == 1 + 5


def test_chapter_1_simulator_updated_in_place_draws_the_same_frames():
    from book.figures.vision import draw_cell_simulator

    figure = interactive_figure(
        draw_cell_simulator,
        orientation=Slider("orientation", [0, 45, 90, 165], value=90),
        position=Slider("position", [-12, 0, 3, 12], value=0))
    live_frame = live_frames(figure)
    # a path that changes each parameter alone, both together, and comes back
    for values in [dict(orientation=45), dict(orientation=45, position=-12),
                   dict(orientation=165, position=12), dict(orientation=0, position=3),
                   {}]:
        assert np.array_equal(pixels(live_frame(**values)),
                              pixels(figure.frame(**values)))


def test_display_mode_follows_the_build_switch(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    figure = make()
    monkeypatch.setenv(STATIC_ENV_VAR, "1")
    figure._ipython_display_()
    monkeypatch.delenv(STATIC_ENV_VAR)
    figure._ipython_display_()
    static, live = shown
    assert "book-interactive" in static.data
    assert type(live).__name__ == "VBox"


def test_sphinx_extension_switches_kernels_to_static(monkeypatch):
    # setenv first so that monkeypatch restores the variable's original state afterwards
    monkeypatch.setenv(STATIC_ENV_VAR, "0")
    pytest.importorskip("sphinx")  # an authoring tool: readers do not install it
    from book.authoring import sphinx

    class App:
        handlers = []

        def connect(self, event, handler, priority=500):
            self.handlers.append(event)

    app = App()
    sphinx.setup(app)
    assert static_mode()
    assert "html-page-context" in app.handlers


def test_a_figure_can_be_rebuilt_from_its_page_spec():
    from book.figures.padding import draw_padding_stride

    figure = interactive_figure(draw_padding_stride, title="explorer",
                                n=Slider("n", [4, 5]), s=Slider("s", [1, 2], value=2))
    _, spec = parse_player(figure.to_html())
    rebuilt = InteractiveFigure.from_spec(spec)
    assert rebuilt.controls == figure.controls  # s starts at 2, not at its first option
    assert rebuilt.frame() == figure.frame()
    assert rebuilt.frame(n=5, s=1) == figure.frame(n=5, s=1)
    spec["draw"] = "os.path:join"
    with pytest.raises(ValueError,
                       match="must draw with a function from the book package"):
        InteractiveFigure.from_spec(spec)


def test_the_spec_keeps_every_kind_of_control_and_its_start_value():
    from book.figures.padding import draw_padding_stride

    figure = interactive_figure(
        draw_padding_stride, title="explorer", n=Slider("n", [4, 5], value=5),
        mode=Dropdown("mode", ["a", "b"], value="b"), on=Toggle("on", True),
        x=Slider("x", [0.5, 1.5], value=1.5))
    spec = json.loads(json.dumps(figure.spec()))
    rebuilt = InteractiveFigure.from_spec(spec)
    assert rebuilt.controls == figure.controls
    assert list(rebuilt.controls) == ["n", "mode", "on", "x"]
    assert rebuilt.draw is draw_padding_stride and rebuilt.title == "explorer"
    del spec["params"][0]["value"]
    with pytest.raises(ValueError, match="has no 'value'"):
        InteractiveFigure.from_spec(spec)
    spec["params"][0].update(value=4, kind="knob")
    with pytest.raises(ValueError, match="'n' is a 'knob'"):
        InteractiveFigure.from_spec(spec)


def test_a_frame_file_is_named_by_its_bytes(tmp_path):
    figure = make()
    png, other = figure.frame(height=1), figure.frame(height=2)
    name = frame_file_name(png)
    assert name == hashlib.sha256(png).hexdigest()[:16] + ".png"
    assert frame_file_name(bytes(png)) == name and frame_file_name(other) != name
    assert write_frame(png, tmp_path / "frames") == name
    assert (tmp_path / "frames" / name).read_bytes() == png


HOSTILE_TITLE = "Bar</script><script>alert(1)</script>"


def test_a_title_cannot_end_the_players_data_script():
    figure = interactive_figure(draw_bar, title=HOSTILE_TITLE,
                                outline=Toggle("outline"))
    data, _ = parse_player(figure.to_html())
    assert data["alts"]["1"] == HOSTILE_TITLE + ": outline = on"


def test_a_title_cannot_end_the_data_script_once_frames_are_moved(tmp_path):
    figure = interactive_figure(draw_bar, title=HOSTILE_TITLE,
                                outline=Toggle("outline"))
    moved = move_frames_to_files(figure.to_html(), tmp_path, "../_frames/")
    data, _ = parse_player(moved)
    assert data["alts"]["0"] == HOSTILE_TITLE + ": outline = off"
    assert data["frames"][0].startswith("../_frames/")


def test_the_site_build_moves_frames_to_shared_files(tmp_path):
    figure = make()
    page = figure.to_html() + "<p>between</p>" + figure.to_html()
    moved = move_frames_to_files(page, tmp_path, "../_frames/")
    assert "data:image" not in moved and "<p>between</p>" in moved
    players = re.findall(r'class="book-interactive-data">(.*?)</script>', moved)
    assert len(players) == 2
    files = sorted(path.name for path in tmp_path.iterdir())
    assert len(files) == 12  # both players show the same 12 frames: each file once
    for player in players:
        data = json.loads(player)
        assert sorted(url.removeprefix("../_frames/") for url in data["frames"]) == files
        url = data["frames"][data["index"]["2|1|1"]]
        stored = (tmp_path / url.removeprefix("../_frames/")).read_bytes()
        assert stored == figure.frame(height=3, colour="green", outline=True)
    assert move_frames_to_files(moved, tmp_path / "again", "../_frames/") == moved


def test_frames_are_hidpi_and_load_lazily():
    figure = make()
    markup = figure.to_html()
    image = re.search(r'<img class="book-interactive-frame" [^>]*>', markup).group(0)
    assert "src=" not in image  # player.js sets it once the figure is in view
    width, height = pixels(figure.frame()).shape[1::-1]
    assert f'width="{width // 2}" height="{height // 2}"' in image
    data, _ = parse_player(markup)
    assert data["scale"] == 2
    assert "IntersectionObserver" in Path(interactive.__file__).with_name(
        "player.js").read_text("utf-8")


def sphinx_page(pagename, has_math, body):
    """A fake Sphinx app and page context, as html-page-context hands them over."""
    from sphinx.builders.html._assets import _JavaScript

    class Env:
        def get_domain(self, name):
            return SimpleNamespace(data={"has_equations": {pagename: has_math}})

    app = SimpleNamespace(outdir="", env=Env(),
                          config=SimpleNamespace(mathjax_path="mathjax/tex-chtml.js"))
    scripts = [_JavaScript("_static/doctools.js"),
               _JavaScript("", body='window.MathJax = {"options": {}}'),
               _JavaScript("_static/mathjax/tex-chtml.js", defer="defer")]
    context = {"body": body, "script_files": scripts,
               "pathto": lambda target, resource: "../" + target}
    return app, context


def test_the_site_build_loads_mathjax_only_on_pages_with_math(tmp_path):
    pytest.importorskip("sphinx")
    from book.authoring.sphinx import light_page

    for has_math, kept in [(True, 3), (False, 1)]:
        app, context = sphinx_page("chapters/02", has_math, "<p>text</p>")
        app.outdir = str(tmp_path)
        light_page(app, "chapters/02", "page.html", context, None)
        assert len(context["script_files"]) == kept
        assert context["script_files"][0].filename == "_static/doctools.js"


def test_the_site_build_writes_frames_under_the_site(tmp_path):
    pytest.importorskip("sphinx")
    from book.authoring.sphinx import light_page

    app, context = sphinx_page("chapters/04", False, make().to_html())
    app.outdir = str(tmp_path)
    light_page(app, "chapters/04", "page.html", context, None)
    data = json.loads(re.search(r'class="book-interactive-data">(.*?)</script>',
                                context["body"]).group(1))
    assert all(url.startswith("../_frames/") for url in data["frames"])
    assert len(list((tmp_path / "_frames").iterdir())) == len(data["frames"])


def test_live_widget_shows_hidpi_frames_at_their_display_width():
    pytest.importorskip("ipywidgets")
    figure = make()
    image = figure.widget().children[1]
    assert image.width == str(pixels(image.value).shape[1] // 2)


def test_the_site_build_takes_fontawesome_js_off_every_page(tmp_path):
    pytest.importorskip("sphinx")
    from book.authoring.sphinx import drop_fontawesome_script

    page = ('<head>\n  <script defer src="../_static/scripts/fontawesome.js?digest=5c">'
            '</script>\n  <script src="../_static/doctools.js"></script>\n</head>')
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "04.html").write_text(page)
    app = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="html"))
    drop_fontawesome_script(app, None)
    assert (tmp_path / "chapters" / "04.html").read_text() == (
        '<head>\n  <script src="../_static/doctools.js"></script>\n</head>')


def test_the_site_build_moves_a_live_figures_assets_to_files(tmp_path):
    weights = bytes(range(256)) * 3
    photo = b"\xff\xd8 not really a jpeg"
    data = {"assets": {"weights": "data:application/octet-stream;base64,"
                       + base64.b64encode(weights).decode(),
                       "photo": "data:image/jpeg;base64," + base64.b64encode(photo).decode(),
                       "already": "../_frames/0123.png"},
            "note": "</script> stays inside"}
    page = ('<div><script type="application/json" class="book-live-data">'
            f"{script_json(data)}</script></div>")
    moved = move_frames_to_files(page, tmp_path, "../_frames/")
    assert "data:" not in moved
    assets = json.loads(re.search(r'book-live-data">(.*?)</script>', moved, re.S)[1])
    assert assets["note"] == data["note"]
    assert assets["assets"]["already"] == "../_frames/0123.png"
    weights_url, photo_url = assets["assets"]["weights"], assets["assets"]["photo"]
    assert weights_url.endswith(".bin") and photo_url.endswith(".jpg")
    assert (tmp_path / weights_url.removeprefix("../_frames/")).read_bytes() == weights
    assert (tmp_path / photo_url.removeprefix("../_frames/")).read_bytes() == photo


def test_a_script_that_names_the_live_data_tag_is_left_alone(tmp_path):
    script = ('<script>// reads <script type="application/json" class="book-live-data">'
              "\nvar x = 1;</script>")
    assert move_frames_to_files(script, tmp_path, "../_frames/") == script


def test_a_title_cannot_open_a_comment_that_swallows_the_page():
    figure = interactive_figure(draw_bar, title="<!--<script>", outline=Toggle("outline"))
    page = figure.to_html()
    data = re.search(r'class="book-interactive-data">(.*?)</script>', page, re.S)[1]
    assert "<" not in data
    assert json.loads(data)["alts"]["0"] == "<!--<script>: outline = off"
