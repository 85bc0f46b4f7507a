"""The sandbox a student's kernel runs in: Debian's ``bubblewrap`` plus resource limits.

``bwrap`` gives the kernel new user, PID, IPC, network and UTS namespaces (no network, all
capabilities dropped, an unprivileged uid inside) and a file system of read-only binds:
the system (``/usr`` and its links, a few files of ``/etc``), the Python installation, the
virtual environment and the ``book`` package. Two folders are writable: the submission's
working folder and a short runtime folder for the kernel's connection file, its ZMQ
``ipc`` sockets (unix sockets: no network needed) and the observation file; ``/tmp`` is a
private tmpfs. Nothing else is there: not ``solutions/``, not the submissions folder, not
other students' folders, not the output folder, not ``$HOME``.

Inside, ``prlimit`` bounds each process's address space, the number of processes, the size
of any file written, the open files and the CPU time before the kernel starts. The kernel's
environment is an allow-list (:func:`allowed_environment`), never the instructor's.

When the grader is root (as on CI machines), the kernel also runs in fresh cgroups: one
group with the ``pids`` and ``memory`` controllers on a cgroup v2 host, one group per
controller on a cgroup v1 host. The Linux kernel exempts processes whose real user is root
from the process limit (``RLIMIT_NPROC``), and bubblewrap run by root maps the sandbox's uid
to root outside, so the ``pids`` group is what bounds the processes there. The ``memory``
group bounds the whole submission, swap off: the kernel, everything it starts, and the pages
of its tmpfs files, which Linux charges to the group of the process that wrote them. Its
working folder is then a tmpfs too (it starts empty, as the grader makes it, and its files
live as long as the kernel): ``/tmp`` and the working folder together cannot hold more than
the memory limit, nor fill the grader's disk. (The runtime folder, on disk, still can: the
file size limit bounds each of its files, not their number.) Past the limit Linux kills a
process of the group (:meth:`Sandbox.memory_kills` counts them). When the grader is not
root there are no cgroups: ``RLIMIT_NPROC`` bounds the processes, the working folder is
the one on disk, and memory is bounded per process only. When the grader is root but no
cgroup can be made, the same holds except that nothing but the cell's time limit bounds the
processes; ``grade`` then warns (:func:`root_without_cgroups`).
"""

from __future__ import annotations

import functools
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import book

GIB = 1024 ** 3
MIB = 1024 ** 2
SANDBOX_UID = 65534        # "nobody": the uid and gid the kernel sees itself as
# The files of /etc that Python and its libraries read; the rest of /etc stays out.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "localtime", "passwd", "group", "nsswitch.conf",
             "hosts", "mime.types")
# The top-level system folders; on merged-/usr systems most are links into /usr.
SYSTEM_FOLDERS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
# Where the kernel's cgroups are made when the grader is root: the cgroup v2 hierarchy is
# mounted there, or else one cgroup v1 hierarchy per controller in a folder named after it.
CGROUPS = Path("/sys/fs/cgroup")
CONTROLLERS = ("pids", "memory")
# Swap knobs exist only where Linux accounts swap (without swap nothing is lost), and
# memory.oom.group since Linux 4.19.
OPTIONAL_KNOBS = ("memory.swap.max", "memory.memsw.limit_in_bytes", "memory.oom.group")
# Files of a memory cgroup (v2, v1) with a line "oom_kill N": processes killed for memory.
OOM_COUNTERS = ("memory.events", "memory.oom_control")
# Run by /bin/sh: write its own pid to each cgroup.procs file given before "--" (joining
# those groups), then become the command after it: everything it starts stays in them.
JOIN_CGROUPS = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 1; shift; done; shift; exec "$@"'
INSTALL_HINT = ("install bubblewrap (apt-get install bubblewrap) or grade in the container "
                "described in instructors.md, or pass --no-sandbox to grade without one")


@dataclass(frozen=True)
class Limits:
    """What one kernel may use. Measured: the chapter 7 solution's kernel (torch, training)
    peaks at 1.5 GiB of address space and 11 threads (threads count as processes).
    ``memory`` bounds the whole submission (its processes and its files in ``/tmp`` and its
    working folder) when the grader is root; the others bound each process."""

    address_space: int = 4 * GIB
    memory: int = 4 * GIB
    processes: int = 128
    file_size: int = 64 * MIB
    open_files: int = 1024
    cpu_seconds: int = 1260    # per process; run_steps sets it from the notebook's time limit


def allowed_environment(home: Path, extra: dict[str, str]) -> dict[str, str]:
    """The kernel's whole environment: an allow-list, reproducible, plus ``extra``
    (the grader's ``BOOK_*`` variables)."""
    env = {"PATH": f"{Path(sys.prefix) / 'bin'}:/usr/local/bin:/usr/bin:/bin",
           "HOME": str(home), "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MPLBACKEND": "Agg"}
    env.update(extra)
    return env


def _system_binds() -> list[str]:
    arguments = []
    for name in SYSTEM_FOLDERS:
        path = Path("/") / name
        if path.is_symlink():
            arguments += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            arguments += ["--ro-bind", str(path), str(path)]
    for name in ETC_FILES:
        arguments += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return arguments


def _python_binds() -> list[str]:
    """The Python installation, the virtual environment and the book package, read-only."""
    folders = {Path(sys.base_prefix).resolve(), Path(sys.prefix).absolute(),
               Path(book.__file__).resolve().parent}
    arguments = []
    for folder in sorted(folders):
        arguments += ["--ro-bind", str(folder), str(folder)]
    return arguments


def bwrap_arguments(writable: list[Path], workdir: Path, in_memory: bool = False) -> list[str]:
    """The ``bwrap`` command line up to the sandboxed program (see the module's docstring):
    the ``writable`` folders bound from outside, ``workdir`` the current folder, and a fresh
    tmpfs when ``in_memory`` (then it is not among ``writable``)."""
    arguments = ["bwrap", "--unshare-user", "--uid", str(SANDBOX_UID), "--gid",
                 str(SANDBOX_UID), "--unshare-pid", "--unshare-ipc", "--unshare-net",
                 "--unshare-uts", "--unshare-cgroup-try", "--cap-drop", "ALL",
                 "--die-with-parent", "--new-session", "--clearenv",
                 "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/dev/shm"]
    arguments += _system_binds() + _python_binds()
    for folder in writable:
        arguments += ["--bind", str(folder), str(folder)]
    if in_memory:
        arguments += ["--tmpfs", str(workdir)]
    return arguments + ["--chdir", str(workdir)]


def limit_arguments(limits: Limits) -> list[str]:
    """``prlimit`` before the kernel: the resource limits, hard and soft alike."""
    return ["prlimit", f"--as={limits.address_space}", f"--nproc={limits.processes}",
            f"--fsize={limits.file_size}", f"--nofile={limits.open_files}",
            f"--cpu={limits.cpu_seconds}", "--core=0", "--"]


def die_with(command: int) -> None:
    """Kill this process's session when process ``command`` (the grade command) ends:
    bwrap's ``--die-with-parent`` for a grader process, so that a grade command stopped by
    Ctrl-C or a kill leaves no grading behind; exits at once when it has already ended.

    Not the parent-death signal: a grader's parent is multiprocessing's fork server, which
    outlives the grade command as long as any of its children (which hold its pipe) lives.
    """
    try:
        watched = os.pidfd_open(command)
    except ProcessLookupError:
        sys.exit("the grade command ended before this grader process started")

    def kill_session_when_it_ends() -> None:
        select.select([watched], [], [])
        os.killpg(0, signal.SIGKILL)

    threading.Thread(target=kill_session_when_it_ends, daemon=True).start()


@functools.cache
def available() -> str | None:
    """None when the sandbox works here, else the one-line reason it does not."""
    if shutil.which("bwrap") is None:
        return f"bubblewrap (bwrap) is not installed: {INSTALL_HINT}"
    if shutil.which("prlimit") is None:
        return f"prlimit (util-linux) is not installed: {INSTALL_HINT}"
    with tempfile.TemporaryDirectory(prefix="book-sandbox-check-") as folder:
        command = (bwrap_arguments([Path(folder)], Path(folder)) + ["--"]
                   + limit_arguments(Limits()) + [sys.executable, "-c", "pass"])
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"bubblewrap could not start: {error}; {INSTALL_HINT}"
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return f"bubblewrap cannot create its namespaces here ({reason}); {INSTALL_HINT}"
    return None


def _cgroups(limits: Limits) -> list[Path]:
    """Fresh cgroups that bound the kernel's processes and memory, when the grader is root:
    one group for the controllers cgroup v2 offers, one per remaining controller mounted as
    cgroup v1; [] when the grader is not root or none can be made."""
    if os.geteuid() != 0:
        return []
    knobs = {"pids": {"pids.max": str(limits.processes)},
             "memory": {"memory.max": str(limits.memory), "memory.swap.max": "0",
                        # The whole group ends when one of it is killed for memory.
                        "memory.oom.group": "1"}}
    knobs_v1 = {"pids": knobs["pids"],
                # The limit first: Linux refuses a memory+swap limit below it.
                "memory": {"memory.limit_in_bytes": str(limits.memory),
                           "memory.memsw.limit_in_bytes": str(limits.memory)}}
    enabled = _read(CGROUPS / "cgroup.subtree_control").split() \
        if (CGROUPS / "cgroup.procs").exists() else []
    on_v2 = [c for c in CONTROLLERS if c in enabled]
    groups = [_make_group(CGROUPS, {k: v for c in on_v2 for k, v in knobs[c].items()})
              if on_v2 else None]
    groups += [_make_group(CGROUPS / c, knobs_v1[c]) for c in CONTROLLERS
               if c not in on_v2 and (CGROUPS / c / "cgroup.procs").exists()]
    return [group for group in groups if group is not None]


def root_without_cgroups() -> str | None:
    """A one-line warning when the grader runs as root but can make no cgroup here (a
    read-only or missing ``/sys/fs/cgroup``, as in a default Docker container), else None.
    Linux does not apply the process limit to root, so then nothing but the cell's time
    limit bounds a submission's processes, and its memory is bounded per process only."""
    if os.geteuid() != 0:
        return None
    groups = _cgroups(Limits())
    for group in groups:
        _empty(group)
    if groups:
        return None
    return (f"running as root, but no cgroup can be made under {CGROUPS}: a submission's "
            "processes are bounded only by the cell's time limit (Linux does not apply the "
            "process limit to root) and its memory only per process; run the grader as a "
            f"non-root user, or give it a writable cgroup hierarchy at {CGROUPS}")


def _make_group(root: Path, knobs: dict[str, str]) -> Path | None:
    """A fresh cgroup under ``root`` with ``knobs`` written to its files (the optional ones
    where they exist), or None when it cannot be made."""
    _remove_orphan_groups(root)
    try:
        # Named after this process, so that a later grader can tell it is orphaned.
        group = Path(tempfile.mkdtemp(prefix=f"book-kernel-{os.getpid()}-", dir=root))
    except OSError:
        return None
    try:
        for name, value in knobs.items():
            if name not in OPTIONAL_KNOBS or (group / name).exists():
                (group / name).write_text(value)
    except OSError:
        group.rmdir()
        return None
    return group


def _remove_orphan_groups(root: Path) -> None:
    """Remove the empty cgroups of grader processes that were killed before cleaning up."""
    for group in root.glob("book-kernel-*-*"):
        owner = group.name.split("-")[2]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            try:
                group.rmdir()
            except OSError:  # still has processes, or already gone
                pass


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


class Sandbox:
    """One kernel's sandbox: its runtime folder, its cgroups (as root), its command line.

    ``confine=False`` (the instructor's ``--no-sandbox``) keeps the runtime folder and
    runs the kernel as it is, in ``workdir`` on disk.

    Use as a context manager: leaving it kills whatever is left in the cgroups, removes
    them and the runtime folder.
    """

    def __init__(self, workdir: Path, limits: Limits = Limits(), confine: bool = True):
        self.workdir = Path(workdir).resolve()
        self.limits, self.confine = limits, confine
        # Short (unix socket paths are limited to about 100 bytes), at the same path inside
        # and outside so that the connection file means the same on both sides.
        self.runtime = Path(tempfile.mkdtemp(prefix="book-kernel-"))
        self.cgroups = _cgroups(limits) if confine else []
        self.oom_counter = next((group / name for group in self.cgroups
                                 for name in OOM_COUNTERS if (group / name).exists()), None)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def observations(self) -> Path:
        """Where the kernel's checks append their observations (``BOOK_OBSERVATIONS``)."""
        return self.runtime / "observations.jsonl"

    @property
    def memory_bounded(self) -> bool:
        """Whether a memory cgroup bounds the whole submission (and its working folder is
        a tmpfs)."""
        return self.oom_counter is not None

    def memory_kills(self) -> int:
        """How many of the kernel's processes Linux has killed for memory so far (0 without
        a memory cgroup)."""
        found = re.search(r"^oom_kill (\d+)$", _read(self.oom_counter), flags=re.MULTILINE) \
            if self.oom_counter is not None else None
        return int(found[1]) if found else 0

    def command(self, kernel_argv: list[str], env: dict[str, str]) -> list[str]:
        """The command that runs ``kernel_argv`` in the sandbox with exactly ``env``
        (unconfined: ``kernel_argv`` itself, to be started with ``env``)."""
        if not self.confine:
            return kernel_argv
        if self.memory_bounded:
            arguments = bwrap_arguments([self.runtime], self.workdir, in_memory=True)
        else:
            arguments = bwrap_arguments([self.workdir, self.runtime], self.workdir)
        for name, value in env.items():
            arguments += ["--setenv", name, value]
        arguments += ["--"] + limit_arguments(self.limits) + kernel_argv
        if not self.cgroups:
            return arguments
        return (["/bin/sh", "-c", JOIN_CGROUPS, "join-cgroups"]
                + [str(group / "cgroup.procs") for group in self.cgroups] + ["--"] + arguments)

    def close(self) -> None:
        """Kill what is left in the cgroups, remove them and the runtime folder."""
        for group in self.cgroups:
            _empty(group)
        shutil.rmtree(self.runtime, ignore_errors=True)


def _empty(group: Path) -> None:
    """Kill every process of a cgroup and remove it (bounded: a few tries)."""
    for _ in range(50):
        pids = [int(p) for p in _read(group / "cgroup.procs").split()]
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.02)
    try:
        group.rmdir()
    except OSError:
        pass
