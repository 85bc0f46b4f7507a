"""Sphinx extension used by the book build (listed in ``_config.yml``).

Notebook kernels are started by the build process and inherit its environment, so setting
the variable here makes every interactive figure render its static, kernel-free player.
"""

import os

from book.interactive import STATIC_ENV_VAR


def setup(app):
    os.environ[STATIC_ENV_VAR] = "1"
    return {"parallel_read_safe": True, "parallel_write_safe": True}
