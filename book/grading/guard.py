"""The grader's watchman inside a student's kernel: it notices when student code tampers.

A student's answer cells run in the same Python process as the checks, so a student could
make a check pass without solving the exercise: rebind ``check_function`` to a function
that does nothing, patch ``book.check.difference``, replace a reference solution in
``book.shapes``, swap a builtin, or register an IPython input transformer that rewrites the
check cells. The grader's plan (:mod:`book.grading.plan`) runs :func:`install_from_environment`
in a cell of its own before any student code, and :func:`before_check` / :func:`after_check`
around every check cell:

* :func:`install_from_environment` reads the grader's configuration (JSON in the kernel's
  environment variable ``BOOK_GRADING_GUARD``, written by :func:`configuration`) and calls
  :func:`install`.
* :func:`install` imports the modules the instructor's cells use and records a fingerprint
  of everything a check relies on: those modules' namespaces (and the functions and classes
  in them), ``builtins``, ``sys.modules`` entries, trace hooks, and the IPython shell's
  transformers, event callbacks, exception handlers and methods.
* :func:`before_check` compares the fingerprint, puts the instructor's imported names back
  into the notebook namespace (so ``check_function = lambda *a: None`` has no effect),
  reseeds the random generators, and prints the grader's one-time token.
* :func:`after_check` compares again, catching tampering done while the check ran (a
  student function that patches the checker when called).

A mismatch raises :class:`TamperingDetected` naming what changed. This stops the usual
attempts; code that runs in the same process can always, with enough effort, hide from
code in that process, so the grader flags rather than trusts, and the instructor's guide
recommends a container for high-stakes grading.
"""

from __future__ import annotations

import builtins
import importlib
import json
import os
import random
import sys
import types

# Event callbacks that libraries register legitimately (matplotlib's inline backend).
TRUSTED_CALLBACK_MODULES = ("IPython", "ipykernel", "matplotlib", "matplotlib_inline",
                            "ipywidgets", "comm")
# Builtins that ipykernel rebinds at every execution (a fresh bound method each time).
VOLATILE_BUILTINS = {"input", "raw_input", "_", "__", "___"}
# Shell methods whose replacement would let code rewrite or hide what a cell does.
SHELL_METHODS = ("run_cell", "run_cell_async", "run_ast_nodes", "run_code", "transform_cell",
                 "transform_ast", "showtraceback", "_showtraceback", "showsyntaxerror",
                 "should_run_async", "ex", "ev", "user_expressions")


# The kernel's environment variable that carries the grader's configuration, as JSON.
CONFIG_VARIABLE = "BOOK_GRADING_GUARD"


class TamperingDetected(RuntimeError):
    """Student code changed something the checks rely on; the message says what."""


class _State:
    """What :func:`install` recorded; one per kernel."""

    def __init__(self, imports: dict[str, tuple[str, str]], seed: int, token: str):
        self.imports = imports
        self.seed = seed
        self.token = token
        self.modules: dict[str, types.ModuleType] = {}
        self.fingerprint: dict[str, object] = {}


_state: _State | None = None


def _same(a, b) -> bool:
    # Bound methods are new objects at every attribute access; compare what they bind.
    if isinstance(a, types.MethodType) and isinstance(b, types.MethodType):
        return a.__func__ is b.__func__ and a.__self__ is b.__self__
    if type(a) is tuple and type(b) is tuple:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a is b


def _namespace_items(namespace, skip=()) -> dict:
    return {key: value for key, value in dict(namespace).items() if key not in skip}


def _function_parts(function) -> tuple:
    return (function.__code__, function.__defaults__, function.__kwdefaults__,
            function.__globals__, tuple(function.__closure__ or ()))


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _callbacks(shell) -> dict[str, tuple]:
    """Event callbacks registered by code that is not a trusted library."""
    found = {}
    for event, callbacks in shell.events.callbacks.items():
        own = tuple(c for c in callbacks
                    if (getattr(c, "__module__", None) or "").split(".")[0]
                    not in TRUSTED_CALLBACK_MODULES)
        found[event] = own
    return found


def _take_fingerprint(modules: dict[str, types.ModuleType]) -> dict[str, object]:
    """Name -> recorded object (or namespace dict) for everything a check relies on."""
    prints: dict[str, object] = {
        "builtins": _namespace_items(vars(builtins), VOLATILE_BUILTINS),
        "sys.trace": (sys.gettrace(), sys.getprofile()),
        "sys.excepthook": sys.excepthook,
    }
    for name, module in modules.items():
        prints[f"sys.modules[{name!r}]"] = sys.modules.get(name)
        prints[f"module {name}"] = _namespace_items(vars(module), {"__warningregistry__"})
        for attribute, value in vars(module).items():
            if getattr(value, "__module__", None) != name:
                continue
            if isinstance(value, types.FunctionType):
                prints[f"function {name}.{attribute}"] = _function_parts(value)
            elif isinstance(value, type):
                for klass in value.__mro__:
                    if klass.__module__ == name:
                        prints[f"class {name}.{klass.__qualname__}"] = _namespace_items(
                            vars(klass))
                        for member, method in vars(klass).items():
                            if isinstance(method, types.FunctionType):
                                prints[f"method {name}.{klass.__qualname__}.{member}"] = \
                                    _function_parts(method)
    shell = _shell()
    if shell is not None:
        prints["shell.input_transformers"] = (
            tuple(shell.input_transformers_cleanup), tuple(shell.input_transformers_post),
            tuple(getattr(shell.input_transformer_manager, "cleanup_transforms", ())),
            tuple(getattr(shell.input_transformer_manager, "line_transforms", ())),
            tuple(getattr(shell.input_transformer_manager, "token_transformers", ())))
        prints["shell.ast_transformers"] = tuple(shell.ast_transformers)
        prints["shell.event callbacks"] = _callbacks(shell)
        prints["shell.custom_exceptions"] = (shell.custom_exceptions, shell.CustomTB)
        prints["shell.instance methods"] = tuple(sorted(
            m for m in SHELL_METHODS if m in vars(shell)))
        for klass in type(shell).__mro__ + type(getattr(shell, "kernel", None)).__mro__:
            if klass is not object:
                prints[f"class {klass.__module__}.{klass.__qualname__}"] = _namespace_items(
                    vars(klass), {"__weakref__"})
    return prints


def _differences(old: dict, new: dict) -> list[str]:
    changed = []
    for key, before in old.items():
        after = new.get(key)
        if isinstance(before, dict):
            after = after if isinstance(after, dict) else {}
            names = sorted(n for n in set(before) | set(after)
                           if n not in before or n not in after
                           or not _same(before[n], after[n]))
            # Additions are fine for third-party modules (numpy loads submodules lazily).
            if not key.startswith(("module book", "builtins")) and key.startswith("module"):
                names = [n for n in names if n in before]
            if names:
                changed.append(f"{key}: {', '.join(names[:5])}")
        elif not _same(before, after):
            changed.append(key)
    return changed


def install(imports: dict[str, tuple[str, str]], watched: list[str], seed: int,
            token: str) -> None:
    """Record the fingerprint; run by the grader before any student code.

    imports: notebook name -> (module, attribute or "" for the module itself), the names the
    instructor's cells import. watched: further module names whose namespaces checks use.
    """
    global _state
    _state = _State(imports, seed, token)
    names = {module for module, _ in imports.values()} | set(watched) | {__name__}
    for name in sorted(names):
        module = importlib.import_module(name)
        _state.modules[name] = module
        # A module's own imports (numpy inside book.check) are what its code calls.
        for value in vars(module).values():
            if isinstance(value, types.ModuleType) and value.__name__ not in ("builtins",):
                _state.modules.setdefault(value.__name__, value)
    _state.fingerprint = _take_fingerprint(_state.modules)
    _seed_generators(seed)


def configuration(imports: dict[str, tuple[str, str]], watched: list[str], seed: int,
                  token: str) -> str:
    """The JSON that :func:`install_from_environment` reads (arguments as :func:`install`)."""
    return json.dumps({"imports": imports, "watched": watched, "seed": seed, "token": token})


def install_from_environment() -> None:
    """:func:`install` with the configuration in ``CONFIG_VARIABLE``, which it then removes.

    Removing it keeps the token out of the student code's reach in ``os.environ``.
    """
    text = os.environ.pop(CONFIG_VARIABLE, None)
    if text is None:
        raise RuntimeError(f"the grader's configuration ({CONFIG_VARIABLE}) is not in the "
                           "kernel's environment")
    config = json.loads(text)
    install({name: tuple(target) for name, target in config["imports"].items()},
            config["watched"], config["seed"], config["token"])


def _seed_generators(seed: int) -> None:
    random.seed(seed)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)


def _verify(when: str) -> None:
    if _state is None:
        raise TamperingDetected("the grader's fingerprint is missing (was it removed?)")
    changed = _differences(_state.fingerprint, _take_fingerprint(_state.modules))
    if changed:
        raise TamperingDetected(f"{when}, these were changed by the notebook's code: "
                                + "; ".join(changed[:6]))


def before_check() -> None:
    """Verify, restore the instructor's imported names, reseed, print the token."""
    _verify("before this check")
    namespace = _shell().user_ns if _shell() is not None else sys.modules["__main__"].__dict__
    for name, (module, attribute) in _state.imports.items():
        value = _state.modules[module]
        namespace[name] = getattr(value, attribute) if attribute else value
    _seed_generators(_state.seed)
    print(_state.token)


def after_check() -> None:
    """Verify that the check itself did not let student code change anything; print token."""
    _verify("while this check ran")
    print(_state.token)
