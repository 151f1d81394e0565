"""The guarded open itself: scope, special files, size checked on the opened file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from remit import safeio


def test_refuses_outside_the_scope_through_a_link(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret").write_text("canary")
    (root / "link").symlink_to(outside / "secret")
    (root / "own").write_text("mine")
    with safeio.confined(root):
        assert safeio.read_text(root / "own") == "mine"
        with pytest.raises(safeio.OutsideRoot) as refused:
            safeio.read_text(root / "link")
        with pytest.raises(safeio.OutsideRoot):
            safeio.read_text(root / ".." / "outside" / "secret")
    assert "canary" not in str(refused.value)
    assert str(tmp_path) not in str(refused.value)
    with safeio.confined(root, [outside / "secret"]):
        assert safeio.read_text(root / "link") == "canary"  # a file the user named


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_refuses_devices(device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    with pytest.raises(safeio.NotRegular, match="character device"):
        safeio.read_bytes(Path(device))


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "template.yaml"
    os.mkfifo(fifo)
    with safeio.confined(tmp_path), pytest.raises(safeio.NotRegular, match="FIFO"):
        safeio.read_bytes(fifo)


def test_directories_are_refused(tmp_path: Path) -> None:
    with pytest.raises(safeio.NotRegular, match="directory"):
        safeio.read_bytes(tmp_path)


def test_size_is_checked_on_the_opened_file(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(safeio.TooLarge, match="2048 bytes, over the 1024-byte limit"):
        safeio.read_bytes(big, 1024)
    assert safeio.read_head(big, 10) == b"x" * 10
    assert isinstance(safeio.TooLarge(1, 0), OSError)  # call sites that turn OSError into a diagnostic hold
