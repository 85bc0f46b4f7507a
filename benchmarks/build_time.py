"""Time a clean build of the whole book and a cached rebuild.

Usage: .venv/bin/python benchmarks/build_time.py

Copies the tracked files into a temporary folder, so the measurement starts from nothing
(no _build, no execution cache), builds with the same command as `make html`, then builds
again: the second build only re-reads what changed (nothing), with every notebook's outputs
taken from the execution cache. Targets on a 2-core machine: clean under 10 minutes, cached
rebuild under 1 minute.
"""

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = [str(Path(sys.executable).with_name("jupyter-book")), "build", ".", "-W", "-n",
         "--keep-going"]


def copy_tracked_files(target: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def timed_build(folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run(BUILD, cwd=folder, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        copy_tracked_files(folder)
        clean = timed_build(folder)
        cached = timed_build(folder)
        pages = sorted((folder / "_build" / "html").rglob("*.html"))
        weight = sum(p.stat().st_size for p in pages)
    print(f"clean build (every notebook executed): {clean:7.1f} s   target < 600 s")
    print(f"cached rebuild (nothing changed):       {cached:7.1f} s   target < 60 s")
    print(f"speed-up of the cache:                  {clean / cached:7.1f} x")
    print(f"HTML pages: {len(pages)}, {weight / 1e6:.1f} MB in all")


if __name__ == "__main__":
    main()
