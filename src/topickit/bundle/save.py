"""Write a fitted pipeline, topic model and optional theme classifier as a bundle.

Everything is first serialised in memory (JSON and ``.npz`` bytes with their SHA-256), then
written through :mod:`topickit._atomic` (a temporary folder or file next to the target,
renamed into place when complete), so a bundle is either complete or absent.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import platform
import zipfile
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from topickit._atomic import atomic_folder, atomic_open
from topickit._version import __version__
from topickit.bundle.format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST_DIGEST_NAME,
    MANIFEST_NAME,
    check_arrays,
    component_files,
    manifest_digest_bytes,
    sha256_hex,
    to_plain,
)
from topickit.exceptions import BundleError
from topickit.segment import LEVELS

if TYPE_CHECKING:
    from topickit.themes.codebook import Codebook

__all__ = ["save_bundle"]

logger = logging.getLogger(__name__)

_LIBRARIES = ("numpy", "scipy", "scikit-learn", "gensim", "simplemma")
_CORPUS_KEYS = ("fingerprint", "n_articles", "n_units")


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _topickit_version() -> str:
    return str(__version__)


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _npz_bytes(arrays: Mapping[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, allow_pickle=False, **arrays)
    return buffer.getvalue()


def _state_of(obj: Any, component: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    if not callable(getattr(obj, "get_state", None)):
        raise BundleError(f"cannot save {component}: {type(obj).__name__} has no get_state()")
    meta, arrays = obj.get_state()
    meta_name, arrays_name = component_files(component)
    return to_plain(meta, meta_name), check_arrays(arrays, arrays_name)


def _corpus_info(corpus: Mapping[str, Any], level: str) -> dict[str, Any]:
    if not isinstance(corpus, Mapping):
        raise BundleError("cannot save bundle: corpus must be a dict")
    for key in _CORPUS_KEYS:
        if key not in corpus:
            raise BundleError(f"cannot save bundle: corpus is missing {key!r}")
    info = to_plain(dict(corpus), "corpus", finite=True)
    info["level"] = level
    return info


def _codebook_data(codebook: Codebook | Mapping[str, Any] | None) -> dict[str, Any] | None:
    if codebook is None:
        return None
    from topickit.themes.codebook import Codebook

    if isinstance(codebook, Mapping):
        codebook = Codebook.from_dict(dict(codebook))
    if not isinstance(codebook, Codebook):
        raise BundleError(f"cannot save bundle: codebook is a {type(codebook).__name__}")
    return codebook.to_dict()


def _serialise(
    *,
    pipeline: Any,
    model: Any,
    theme_classifier: Any,
    level: str,
    config: Mapping[str, Any],
    corpus: Mapping[str, Any],
    metrics: Mapping[str, Any] | None,
    codebook: Codebook | Mapping[str, Any] | None,
) -> dict[str, bytes]:
    """All bundle files as ``{relative path: bytes}``, manifest included."""
    if level not in LEVELS:
        raise BundleError(f"cannot save bundle: level {level!r} is not one of {', '.join(LEVELS)}")
    if not isinstance(config, Mapping):
        raise BundleError("cannot save bundle: config must be a dict")
    parts = {"pipeline": pipeline, "model": model}
    if theme_classifier is not None:
        kind = getattr(theme_classifier, "kind", None)
        if not isinstance(kind, str) or not kind:
            raise BundleError("cannot save themes: the theme classifier has no 'kind' name")
        parts["themes"] = theme_classifier
    files: dict[str, bytes] = {}
    model_meta: dict[str, Any] = {}
    for component, obj in parts.items():
        meta, arrays = _state_of(obj, component)
        meta_name, arrays_name = component_files(component)
        files[meta_name] = _json_bytes(meta)
        files[arrays_name] = _npz_bytes(arrays)
        if component == "model":
            model_meta = meta
    themes_info = None
    if theme_classifier is not None:
        themes_info = {
            "kind": theme_classifier.kind,
            "class": type(theme_classifier).__name__,
            "classes": to_plain(list(getattr(theme_classifier, "classes_", [])), "classes_"),
        }
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "topickit_version": _topickit_version(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "versions": {"python": platform.python_version(), **{n: _version(n) for n in _LIBRARIES}},
        "model": {
            "kind": model_meta.get("kind", getattr(model, "kind", "")),
            "class": type(model).__name__,
            "n_topics": model_meta.get("n_topics"),
            "n_terms": len(model_meta.get("vocabulary", [])),
        },
        "theme_classifier": themes_info,
        "config": to_plain(dict(config), "config", finite=True),
        "corpus": _corpus_info(corpus, level),
        "codebook": _codebook_data(codebook),
        "metrics": to_plain(dict(metrics or {}), "metrics", finite=True),
        "components": list(parts),
        "files": {name: sha256_hex(data) for name, data in sorted(files.items())},
    }
    files[MANIFEST_NAME] = _json_bytes(manifest)
    files[MANIFEST_DIGEST_NAME] = manifest_digest_bytes(files[MANIFEST_NAME])
    return files


def _check_target(path: Path, *, as_zip: bool, overwrite: bool) -> None:
    if not path.exists() and not path.is_symlink():
        return
    if not overwrite:
        raise BundleError.at(path, "already exists; pass overwrite=True to replace it")
    if path.is_symlink():
        raise BundleError.at(path, "refusing to overwrite a symbolic link")
    if as_zip:
        if not path.is_file() or not zipfile.is_zipfile(path):
            raise BundleError.at(path, "refusing to overwrite: not a .zip file")
    elif not path.is_dir():
        raise BundleError.at(path, "refusing to overwrite: a file, not a bundle folder")
    elif any(path.iterdir()) and not (path / MANIFEST_NAME).is_file():
        raise BundleError.at(path, "refusing to overwrite: not a topickit bundle folder")


def _write_folder(path: Path, files: Mapping[str, bytes], *, replace: bool) -> None:
    with atomic_folder(path, replace=replace) as folder:
        for name, data in files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def _write_zip(path: Path, files: Mapping[str, bytes]) -> None:
    with (
        atomic_open(path, "wb") as handle,
        zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zf,
    ):
        for member, data in files.items():
            zf.writestr(member, data)


def save_bundle(
    path: str | os.PathLike[str],
    *,
    pipeline: Any,
    model: Any,
    level: str,
    config: Mapping[str, Any],
    corpus: Mapping[str, Any],
    metrics: Mapping[str, Any] | None = None,
    codebook: Codebook | Mapping[str, Any] | None = None,
    theme_classifier: Any = None,
    overwrite: bool = False,
) -> Path:
    """Save a fitted pipeline and topic model (and theme classifier) as a bundle.

    Parameters
    ----------
    path : str or Path
        Target folder, or a file ending in ``.zip`` for a single-file bundle. The
        convention is a folder named after the run, or ``<name>.zip``.
    pipeline : TextPipeline
        The fitted preprocessing pipeline.
    model : TopicModel
        The fitted topic model (anything with ``get_state()``).
    level : {"article", "paragraph", "sentence"}
        The unit level the model was trained on.
    config : dict
        The resolved preprocessing and model config (plain JSON data).
    corpus : dict
        Training corpus summary with at least ``fingerprint``, ``n_articles``, ``n_units``.
    metrics : dict, optional
        The model's metrics from its run; NaN becomes null.
    codebook : Codebook or dict, optional
        The theme codebook.
    theme_classifier : object, optional
        A fitted classifier with a ``kind`` name and ``get_state()``; it is rebuilt on load
        through :func:`~topickit.bundle.register_theme_classifier`.
    overwrite : bool, default=False
        Replace an existing bundle at ``path``.

    Returns
    -------
    Path
        Where the bundle was written.

    Raises
    ------
    BundleError
        When ``path`` exists (and ``overwrite`` is false), a state holds an object array or
        non-JSON data, or an argument is invalid.
    """
    path = Path(path)
    as_zip = path.suffix.lower() == ".zip"
    files = _serialise(
        pipeline=pipeline,
        model=model,
        theme_classifier=theme_classifier,
        level=level,
        config=config,
        corpus=corpus,
        metrics=metrics,
        codebook=codebook,
    )
    _check_target(path, as_zip=as_zip, overwrite=overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    if as_zip:
        _write_zip(path, files)
    else:
        _write_folder(path, files, replace=overwrite)
    logger.info("saved bundle %s (%d files)", path, len(files))
    return path
