"""Sphinx extension used by the book build (listed in ``_config.yml``).

* Notebook kernels are started by the build process and inherit its environment, so
  setting ``BOOK_STATIC_FIGURES`` here makes every interactive figure render its
  kernel-free player.
* Jupyter Book registers some extensions' inline scripts twice (sphinx-thebe's
  ``const THEBE_JS_URL`` among them); a ``const`` declared twice is a console error on
  every page, so each page keeps only the first copy of identical scripts.
* Pages stay light: the interactive figures' frames move out of each page into
  content-addressed files under ``_frames/`` (``book.interactive.frame_files``), and so
  do the live figures' assets (weights, photos); MathJax is loaded only by pages with
  math of their own (Sphinx also loads it on a page whose table of contents lists pages
  with math). The theme's 1.5 MB ``fontawesome.js``,
  which only swaps icons for SVG copies of what the theme's CSS already draws with the
  Font Awesome web font, is taken off every page once the build has written them.
* The build never publishes a result its text contradicts: once every page is read, each
  executed notebook (freshly run or taken from the cache) is compared with its source,
  and the build fails, naming notebook and cell, when a cell tagged
  ``nbval-check-output`` printed something other than its pinned output, or when a
  number in the prose is not the value its ``<!-- glue:name -->`` marker names (see
  ``book.glue``).
"""

import os
import re
from pathlib import Path

import nbformat
from sphinx.errors import ExtensionError
from sphinx.util import logging

from book.authoring.pinned_outputs import contradictions
from book.build_mode import STATIC_ENV_VAR
from book.interactive.frame_files import move_frames_to_files

logger = logging.getLogger(__name__)
FRAMES_FOLDER = "_frames"
# pydata-sphinx-theme's layout writes this tag itself (not through script_files)
FONTAWESOME_SCRIPT = re.compile(r'[ \t]*<script [^>]*src="[^"]*_static/scripts/fontawesome\.js'
                                r'[^"]*"></script>\n?')


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    """Sphinx ``html-page-context`` handler: keep the first of identical scripts."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # Copies differ only in priority, or in None against "" for an inline script.
        key = (getattr(script, "filename", None) or "",
               tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def light_page(app, pagename, templatename, context, doctree):
    """Sphinx ``html-page-context`` handler, after the others: frames as files, and no
    MathJax on a page without math."""
    if "body" in context:
        url_prefix = context["pathto"](FRAMES_FOLDER, 1) + "/"
        context["body"] = move_frames_to_files(
            context["body"], Path(app.outdir) / FRAMES_FOLDER, url_prefix)
    if not app.env.get_domain("math").data["has_equations"].get(pagename, False):
        context["script_files"] = [
            script for script in context.get("script_files", [])
            if not _is_mathjax(script, app.config.mathjax_path)]


def _is_mathjax(script, mathjax_path: str) -> bool:
    """MathJax itself, or the inline configuration sphinx.ext.mathjax puts before it."""
    body = getattr(script, "attributes", {}).get("body", "")
    # a local mathjax_path is listed under _static/, as Sphinx's add_js_file puts it
    return (getattr(script, "filename", None) in (mathjax_path, f"_static/{mathjax_path}")
            or body.startswith("window.MathJax"))


def drop_fontawesome_script(app, exception):
    """Sphinx ``build-finished`` handler: take the theme's fontawesome.js off every page
    (every icon the pages use is in the theme's CSS, drawn with the web font)."""
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        light = FONTAWESOME_SCRIPT.sub("", text)
        if light != text:
            page.write_text(light, encoding="utf-8")


def executed_notebook_problems(env) -> list[tuple[str, str]]:
    """(docname, problem) for every executed notebook that contradicts its source.

    The executed notebooks are read from jupyter-cache, as myst-nb renders them: a
    notebook taken from the cache is checked like a freshly executed one, and so is a
    page that Sphinx did not read again. (In cache mode the copies under
    ``_build/jupyter_execute`` hold the source's outputs, not the executed ones.)
    """
    from jupyter_cache import get_cache
    from myst_nb.sphinx_ import NbMetadataCollector

    config = env.mystnb_config
    if config.execution_mode != "cache":
        raise ExtensionError("book.authoring.sphinx checks the executed notebooks in jupyter-"
                             "cache: set execute_notebooks: cache in _config.yml")
    cache = get_cache(config.execution_cache_path)
    problems = []
    for docname in sorted(env.found_docs):
        source = Path(env.doc2path(docname))
        metadata = NbMetadataCollector.get_doc_data(env).get(docname, {})
        if source.suffix != ".ipynb" or metadata.get("exec_data") is None:
            continue  # not a notebook, or shown as stored (excluded from execution)
        notebook = nbformat.read(source, as_version=4)
        try:
            _, executed = cache.merge_match_into_notebook(
                nbformat.read(source, as_version=4))
        except KeyError:
            problems.append((docname, "no executed copy in jupyter-cache: build again"))
            continue
        problems += [(docname, problem)
                     for problem in contradictions(notebook, executed)]
    return problems


def check_executed_notebooks(app, env):
    """Sphinx ``env-updated`` handler: warn about each contradiction, then fail the build."""
    problems = executed_notebook_problems(env)
    for docname, problem in problems:
        logger.warning(problem, location=docname, type="book", subtype="pinned")
    if problems:
        raise ExtensionError(f"{len(problems)} result(s) on the site would contradict "
                             "the book's text or pinned outputs (listed above)")


def setup(app):
    """Register the extension (``sphinx: extra_extensions`` in ``_config.yml``)."""
    os.environ[STATIC_ENV_VAR] = "1"
    app.connect("html-page-context", drop_duplicate_scripts)
    # after sphinx.ext.mathjax's handler (priority 500), which adds the script
    app.connect("html-page-context", light_page, priority=900)
    app.connect("env-updated", check_executed_notebooks)
    app.connect("build-finished", drop_fontawesome_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
