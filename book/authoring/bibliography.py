"""Sphinx extension (listed in ``_config.yml``): bibliography labels in author-year form.

The book cites with ``bibtex_reference_style: author_year``, so the text reads
"[Hubel and Wiesel, 1959]"; sphinxcontrib-bibtex's own formatting styles label the entries
of the bibliography alpha-style ("[HW59]"), which a reader cannot match with the citation.
The formatting style registered here is pybtex's plain style with each entry labelled by
the citation's own author text and the year.
"""

import pybtex.plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

# The value of ``bibtex_default_style`` in _config.yml.
STYLE_NAME = "author_year_labels"


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels such as "Hubel and Wiesel, 1959" or "LeCun et al., 1998"."""

    def format_labels(self, sorted_entries):
        citation_style = AuthorYearReferenceStyle()
        authors = citation_style.person.author_or_editor_or_title(full=False)
        for entry in sorted_entries:
            names = authors.format_data({"entry": entry, "style": citation_style})
            yield f"{names.render_as('text')}, {entry.fields['year']}"


class AuthorYearLabelledStyle(PlainStyle):
    default_label_style = AuthorYearLabelStyle


def setup(app):
    pybtex.plugin.register_plugin("pybtex.style.formatting", STYLE_NAME,
                                  AuthorYearLabelledStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
