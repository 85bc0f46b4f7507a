"""Sphinx extension used by the book build (listed in ``_config.yml``).

* Notebook kernels are started by the build process and inherit its environment, so setting
  ``BOOK_STATIC_FIGURES`` here makes every interactive figure render its kernel-free player.
* Jupyter Book registers some extensions' inline scripts twice (sphinx-thebe's
  ``const THEBE_JS_URL`` among them); a ``const`` declared twice is a console error on every
  page, so each page keeps only the first copy of identical scripts.
"""

import os

from book.interactive import STATIC_ENV_VAR


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # Copies differ only in priority, or in None against "" for an inline script's file.
        key = (getattr(script, "filename", None) or "",
               tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    os.environ[STATIC_ENV_VAR] = "1"
    app.connect("html-page-context", drop_duplicate_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
