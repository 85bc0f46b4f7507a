"""The grader's courtesy in a student's kernel: it notices when student code alters the checker.

The score does not depend on the kernel: hidden checks only record what the student's code
gave and the grader judges the records in its own process (:mod:`book.grading.compare`). So
this guard is not what protects the score; it explains odd behaviour. When a question fails
after the notebook rebound ``book.check.difference``, replaced ``book.shapes.output_size`` or
swapped a builtin, the result says so (a note, and the status "tampered" when the
judgement fails). It also puts back the checker's names that a notebook rebound
(``check_function = lambda *a: None``) and reseeds the random generators before each check.

The plan (:mod:`book.grading.plan`) runs :func:`install_from_environment` in a cell of its own
before any student code, and :func:`before_check` / :func:`after_check` around every check
cell. Only the book's own modules and ``builtins`` are fingerprinted: libraries change their
own namespaces as a matter of course (creating a torch optimizer makes ``torch._dynamo`` wrap
``torch.manual_seed``), and so do notebooks (``sys.argv``, ``sys.stdout``, IPython's
settings), none of which is tampering.
"""

from __future__ import annotations

import builtins
import importlib
import json
import os
import random
import sys
import types

# Builtins that ipykernel rebinds at every execution (a fresh bound method each time).
VOLATILE_BUILTINS = {"input", "raw_input", "_", "__", "___"}
# The kernel's environment variable that carries the grader's configuration, as JSON.
CONFIG_VARIABLE = "BOOK_GRADING_GUARD"
SEED = 0    # the random generators' seed before every check


class TamperingDetected(RuntimeError):
    """Student code changed something the checks rely on; the message says what."""


class _State:
    """What :func:`install` recorded; one per kernel."""

    def __init__(self, imports: dict[str, tuple[str, str]], seed: int):
        self.imports = imports
        self.seed = seed
        self.modules: dict[str, types.ModuleType] = {}      # the instructor's imports
        self.book_modules: dict[str, types.ModuleType] = {}  # fingerprinted
        self.fingerprint: dict[str, object] = {}


_state: _State | None = None


def _function_parts(function) -> tuple:
    return (function.__code__, function.__defaults__, function.__kwdefaults__,
            function.__globals__, tuple(function.__closure__ or ()))


def _take_fingerprint(modules: dict[str, types.ModuleType]) -> dict[str, dict]:
    """Name -> {attribute: recorded object} for the book's modules and builtins."""
    prints = {"builtins": {k: v for k, v in vars(builtins).items()
                           if k not in VOLATILE_BUILTINS},
              "sys.modules": {name: sys.modules.get(name) for name in modules}}
    for name, module in modules.items():
        prints[f"module {name}"] = {k: v for k, v in vars(module).items()
                                    if k != "__warningregistry__"}
        for attribute, value in vars(module).items():
            if isinstance(value, types.FunctionType) and value.__module__ == name:
                prints[f"function {name}.{attribute}"] = {"code": _function_parts(value)}
    return prints


def _same(a, b) -> bool:
    if type(a) is tuple and type(b) is tuple:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a is b


def _differences(old: dict[str, dict], new: dict[str, dict]) -> list[str]:
    changed = []
    for key, before in old.items():
        after = new.get(key, {})
        names = sorted(n for n in set(before) | set(after)
                       if n not in before or n not in after or not _same(before[n], after[n]))
        if names:
            changed.append(key if names == ["code"] else f"{key}: {', '.join(names[:5])}")
    return changed


def _is_book(name: str) -> bool:
    return name.split(".")[0] == "book"


def _book_modules(modules: dict[str, types.ModuleType]) -> dict[str, types.ModuleType]:
    """The book's modules among ``modules``, with the book's modules their code uses
    (book.check judges with book.check.judge's functions)."""
    found = {name: module for name, module in modules.items() if _is_book(name)}
    for module in list(found.values()):
        for value in vars(module).values():
            used = value.__name__ if isinstance(value, types.ModuleType) else \
                getattr(value, "__module__", None) if isinstance(value, types.FunctionType) \
                else None
            if used and _is_book(used) and used in sys.modules:
                found.setdefault(used, sys.modules[used])
    return found


def install(imports: dict[str, tuple[str, str]], watched: list[str], seed: int) -> None:
    """Record the fingerprint; run by the grader before any student code.

    imports: notebook name -> (module, attribute or "" for the module itself), the names the
    instructor's cells import. watched: further module names whose namespaces checks use.
    """
    global _state
    _state = _State(imports, seed)
    for name in sorted({module for module, _ in imports.values()} | set(watched)):
        module = importlib.import_module(name)
        _state.modules[name] = module
    _state.book_modules = _book_modules(_state.modules)
    _state.fingerprint = _take_fingerprint(_state.book_modules)
    _seed_generators(seed)


def configuration(imports: dict[str, tuple[str, str]], watched: list[str], seed: int) -> str:
    """The JSON that :func:`install_from_environment` reads (arguments as :func:`install`)."""
    return json.dumps({"imports": imports, "watched": watched, "seed": seed})


def environment(imports: dict[str, tuple[str, str]], watched: list[str]) -> dict[str, str]:
    """The kernel's environment variable that configures the guard (seed :data:`SEED`)."""
    return {CONFIG_VARIABLE: configuration(imports, watched, SEED)}


def install_from_environment() -> None:
    """:func:`install` with the configuration in ``CONFIG_VARIABLE``, which it then removes."""
    text = os.environ.pop(CONFIG_VARIABLE, None)
    if text is None:
        raise RuntimeError(f"the grader's configuration ({CONFIG_VARIABLE}) is not in the "
                           "kernel's environment")
    config = json.loads(text)
    install({name: tuple(target) for name, target in config["imports"].items()},
            config["watched"], config["seed"])


def _seed_generators(seed: int) -> None:
    random.seed(seed)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)


def _verify(when: str) -> None:
    if _state is None:
        raise TamperingDetected("the grader's fingerprint is missing (was it removed?)")
    changed = _differences(_state.fingerprint, _take_fingerprint(_state.book_modules))
    if changed:
        raise TamperingDetected(f"{when}, these were changed by the notebook's code: "
                                + "; ".join(changed[:6]))


def before_check() -> None:
    """Verify, restore the instructor's imported names, reseed."""
    _verify("before this check")
    namespace = _user_namespace()
    for name, (module, attribute) in _state.imports.items():
        value = _state.modules[module]
        namespace[name] = getattr(value, attribute) if attribute else value
    _seed_generators(_state.seed)


def after_check() -> None:
    """Verify that the check itself did not let student code change anything."""
    _verify("while this check ran")


def _user_namespace() -> dict:
    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = None
    shell = get_ipython() if get_ipython is not None else None
    return shell.user_ns if shell is not None else sys.modules["__main__"].__dict__
