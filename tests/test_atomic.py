"""The one atomic-write helper: whole outputs or none, no temporary files left behind."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from topickit._atomic import (
    TEMP_PREFIX,
    atomic_folder,
    atomic_open,
    atomic_write_bytes,
    atomic_write_text,
    atomic_write_with,
)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _leftover_temps(folder: Path) -> list[str]:
    return [n for n in _names(folder) if n.startswith(TEMP_PREFIX)]


def test_text_and_bytes_arrive_whole_with_plain_permissions(tmp_path):
    text = tmp_path / "sub" / "a.csv"
    atomic_write_text(text, "x,y\r\n1,2\n")
    assert text.read_bytes() == b"x,y\r\n1,2\n"  # newline="": nothing translated
    data = tmp_path / "b.bin"
    atomic_write_bytes(data, b"\x00\x01")
    assert data.read_bytes() == b"\x00\x01"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(text.stat().st_mode) == 0o666 & ~umask
    assert _leftover_temps(tmp_path) == [] and _leftover_temps(text.parent) == []


def test_a_failing_writer_leaves_no_file_and_no_temp(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError, match="boom"), atomic_open(target) as handle:
        handle.write("half")
        raise RuntimeError("boom")
    assert _names(tmp_path) == []


def test_a_failure_keeps_the_previous_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(ValueError), atomic_open(target) as handle:
        handle.write("new")
        raise ValueError("stop")
    assert target.read_text(encoding="utf-8") == "old"
    assert _names(tmp_path) == ["out.txt"]


def test_keyboard_interrupt_cleans_up(tmp_path):
    with pytest.raises(KeyboardInterrupt), atomic_open(tmp_path / "f.txt") as handle:
        handle.write("partial")
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt), atomic_folder(tmp_path / "run") as folder:
        (folder / "metrics.json").write_text("{}", encoding="utf-8")
        raise KeyboardInterrupt
    assert _names(tmp_path) == []


def test_an_os_error_names_the_final_path(tmp_path):
    target = tmp_path / "full.csv"
    with pytest.raises(OSError) as info, atomic_open(target) as handle:
        handle.write("x")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert info.value.filename == str(target)
    folder = tmp_path / "a_folder"
    folder.mkdir()
    with pytest.raises(IsADirectoryError) as info:
        atomic_write_text(folder, "x")
    assert info.value.filename == str(folder) and info.value.filename2 is None
    assert _names(tmp_path) == ["a_folder"]


def test_write_with_keeps_the_suffix_for_format_choosing_writers(tmp_path):
    seen: list[str] = []

    def write(temp: Path) -> None:
        seen.append(temp.suffix)
        np.save(temp, np.arange(3))  # np.save adds ".npy" unless the name ends with it

    target = tmp_path / "offsets.npy"
    atomic_write_with(target, write)
    assert seen == [".npy"] and _names(tmp_path) == ["offsets.npy"]
    np.testing.assert_array_equal(np.load(target), np.arange(3))

    def fail(temp: Path) -> None:
        temp.write_bytes(b"half")
        raise RuntimeError("writer failed")

    with pytest.raises(RuntimeError):
        atomic_write_with(tmp_path / "other.npy", fail)
    assert _names(tmp_path) == ["offsets.npy"]


def test_folder_appears_complete(tmp_path):
    final = tmp_path / "run"
    with atomic_folder(final) as folder:
        assert folder.parent == tmp_path and folder.name.startswith(TEMP_PREFIX)
        (folder / "a.txt").write_text("a", encoding="utf-8")
        assert not final.exists()
    assert _names(final) == ["a.txt"] and _names(tmp_path) == ["run"]


def test_folder_refuses_an_existing_target(tmp_path):
    final = tmp_path / "run"
    final.mkdir()
    (final / "keep.txt").write_text("k", encoding="utf-8")
    with pytest.raises(FileExistsError) as info, atomic_folder(final):
        pass
    assert info.value.filename == str(final)
    assert _names(final) == ["keep.txt"] and _names(tmp_path) == ["run"]
    dangling = tmp_path / "link"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(FileExistsError), atomic_folder(dangling):
        pass


def test_folder_refuses_a_target_that_appears_meanwhile(tmp_path):
    final = tmp_path / "run"
    with pytest.raises(FileExistsError), atomic_folder(final) as folder:
        (folder / "new.txt").write_text("n", encoding="utf-8")
        final.mkdir()
    assert _names(final) == [] and _names(tmp_path) == ["run"]


def test_folder_replace_swaps_and_a_failure_keeps_the_old(tmp_path):
    final = tmp_path / "bundle"
    final.mkdir()
    (final / "old.txt").write_text("o", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_folder(final, replace=True) as folder:
        (folder / "new.txt").write_text("n", encoding="utf-8")
        raise RuntimeError("failed half way")
    assert _names(final) == ["old.txt"] and _names(tmp_path) == ["bundle"]
    with atomic_folder(final, replace=True) as folder:
        (folder / "new.txt").write_text("n", encoding="utf-8")
    assert _names(final) == ["new.txt"] and _names(tmp_path) == ["bundle"]


def test_only_new_files_are_opened(tmp_path):
    with pytest.raises(ValueError, match="mode"), atomic_open(tmp_path / "x", "a"):
        pass
    assert _names(tmp_path) == []


def test_a_streamed_corpus_holds_its_files_only_and_meta_last(seeds_dir, tmp_path):
    from topickit.streaming.corpus import build_streamed_corpus, iter_unit_texts
    from topickit.streaming.files import FILES
    from topickit.text.pipeline import TextPipeline

    folder = tmp_path / "corpus"
    corpus = build_streamed_corpus(
        iter_unit_texts(seeds_dir, "paragraph"), TextPipeline(no_below=1, n_jobs=1), folder
    )
    assert _names(folder) == sorted(FILES.values())
    assert len(corpus) == len(corpus.unit_ids) > 0

    def fails_half_way():
        yield from list(iter_unit_texts(seeds_dir, "paragraph"))[:5]
        raise KeyboardInterrupt

    broken = tmp_path / "broken"
    with pytest.raises(KeyboardInterrupt):
        build_streamed_corpus(fails_half_way, TextPipeline(no_below=1, n_jobs=1), broken)
    assert FILES["meta"] not in _names(broken) and _leftover_temps(broken) == []


def test_an_unwritable_place_names_the_output_not_a_temp_name(tmp_path, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        name = os.path.join(kwargs["dir"], kwargs["prefix"] + "random")
        raise PermissionError(errno.EACCES, "Permission denied", name)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    target = tmp_path / "out.csv"
    with pytest.raises(PermissionError) as info, atomic_open(target):
        pass
    assert info.value.filename == str(target)
