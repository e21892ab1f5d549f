"""Read a bundle folder or ``.zip`` safely and rebuild its parts, never unpickling.

All members are read into memory first (with size limits and path checks), screened for
pickle data, checked against the manifest's SHA-256 list, and only then parsed: JSON with
:mod:`json`, arrays with ``np.load(..., allow_pickle=False)``.
"""

from __future__ import annotations

import io
import json
import logging
import os
import stat
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from topickit.bundle import format as fmt
from topickit.bundle.bundle import Bundle
from topickit.exceptions import BundleError
from topickit.registry import THEME_CLASSIFIERS

__all__ = ["THEME_CLASSIFIERS", "load_bundle", "read_members", "register_theme_classifier"]

logger = logging.getLogger(__name__)


def register_theme_classifier(cls: type) -> type:
    """Let bundles rebuild theme classifiers of ``cls.kind`` (usable as a class decorator).

    The same as ``topickit.registry.THEME_CLASSIFIERS.register(cls)``: bundle loading and
    :func:`~topickit.themes.make_theme_classifier` read one table.

    Parameters
    ----------
    cls : type
        A class with a non-empty ``kind`` string and a ``from_state(meta, arrays)`` classmethod.

    Returns
    -------
    type
        ``cls`` itself.
    """
    return THEME_CLASSIFIERS.register(cls)


# ---------------------------------------------------------------------- reading members
def _is_ignored(name: str) -> bool:
    parts = name.split("/")
    return parts[-1] in fmt.IGNORED_NAMES or parts[0] == "__MACOSX"


def _check_sizes(name: str, size: int, total: int) -> None:
    if size > fmt.MAX_MEMBER_BYTES:
        raise BundleError(f"oversized bundle member: {name} ({size} bytes)")
    if total > fmt.MAX_TOTAL_BYTES:
        raise BundleError(f"bundle is too large to load at {name} ({total} bytes in all)")


def _zip_members(path: Path) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise BundleError(f"{path} is not a readable .zip bundle: {err}") from None
    members: dict[str, bytes] = {}
    total = 0
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > fmt.MAX_MEMBERS:
            raise BundleError(f"{path} has {len(infos)} members; a bundle has at most a few")
        for info in infos:
            name = info.filename
            if not fmt.is_safe_member_name(name):
                raise BundleError(f"unsafe path in bundle zip: {name!r}")
            if name in members:
                raise BundleError(f"duplicate member in bundle zip: {name}")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise BundleError(f"refusing symbolic link in bundle zip: {name}")
            if info.flag_bits & 0x1:
                raise BundleError(f"refusing encrypted member in bundle zip: {name}")
            total += info.file_size
            _check_sizes(name, info.file_size, total)
            with archive.open(info) as handle:
                data = handle.read(fmt.MAX_MEMBER_BYTES + 1)
            _check_sizes(name, len(data), total - info.file_size + len(data))
            members[name] = data
    return _strip_top_folder(members)


def _strip_top_folder(members: dict[str, bytes]) -> dict[str, bytes]:
    """Accept a zip of the bundle folder itself (``name/manifest.json``)."""
    if fmt.MANIFEST_NAME in members:
        return members
    tops = {n.split("/", 1)[0] for n in members if not _is_ignored(n)}
    if len(tops) == 1:
        top = tops.pop()
        if f"{top}/{fmt.MANIFEST_NAME}" in members:
            prefix = f"{top}/"
            return {n[len(prefix) :]: d for n, d in members.items() if n.startswith(prefix)}
    return members


def _folder_members(root: Path) -> dict[str, bytes]:
    members: dict[str, bytes] = {}
    total = 0
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        for name in dirs + names:
            if (here / name).is_symlink():
                rel = (here / name).relative_to(root).as_posix()
                raise BundleError(f"refusing symbolic link in bundle: {rel}")
        for name in names:
            file = here / name
            rel = file.relative_to(root).as_posix()
            size = file.stat().st_size
            total += size
            _check_sizes(rel, size, total)
            members[rel] = file.read_bytes()
        if len(members) > fmt.MAX_MEMBERS:
            raise BundleError(f"{root} has over {fmt.MAX_MEMBERS} files; it is not a bundle")
    return members


def read_members(path: str | os.PathLike[str]) -> dict[str, bytes]:
    """Every file of a bundle folder or ``.zip`` as ``{relative POSIX path: bytes}``.

    Raises
    ------
    BundleError
        For a missing path, an unsafe zip member (``..``, absolute path, symbolic link,
        encryption) or an oversized member.
    """
    path = Path(path)
    if path.is_dir():
        return _folder_members(path)
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise BundleError(f"{path} is neither a bundle folder nor a .zip bundle")
        return _zip_members(path)
    raise BundleError(f"bundle {path} does not exist")


# ---------------------------------------------------------------------- checks
def _screen(members: Mapping[str, bytes]) -> dict[str, Any]:
    """Refuse pickles, parse and validate the manifest, and verify every file."""
    for name, data in members.items():
        if fmt.looks_like_pickle(name, data):
            raise BundleError(f"refusing to load pickle data: {name}")
    if fmt.MANIFEST_NAME not in members:
        raise BundleError(f"no {fmt.MANIFEST_NAME} found; this is not a topickit bundle")
    manifest = _json(members[fmt.MANIFEST_NAME], fmt.MANIFEST_NAME)
    fmt.validate_manifest(manifest)
    listed = manifest["files"]
    for name, digest in listed.items():
        if name not in members:
            raise BundleError(f"missing file in bundle: {name}")
        if fmt.sha256_hex(members[name]) != digest:
            raise BundleError(f"checksum mismatch for {name}: the bundle was modified or corrupted")
    for name in sorted(members):
        if name != fmt.MANIFEST_NAME and name not in listed and not _is_ignored(name):
            raise BundleError(
                f"unlisted file in bundle: {name} is not in manifest.json 'files' "
                "(the bundle was modified); remove it to load the bundle"
            )
    return manifest


def _json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BundleError(f"{name} is not valid JSON: {err}") from None


def _arrays(data: bytes, name: str) -> dict[str, np.ndarray]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            total = 0
            for info in inner.infolist():
                total += info.file_size
                _check_sizes(f"{name}:{info.filename}", info.file_size, total)
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except ValueError as err:
        if "allow_pickle" in str(err) or "Object arrays" in str(err):
            raise BundleError(f"{name} holds an object array; refusing to unpickle") from None
        raise BundleError(f"{name}: cannot read arrays: {err}") from None
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise BundleError(f"{name} is not a valid .npz file: {err}") from None
    for key, arr in arrays.items():
        if arr.dtype.hasobject:
            raise BundleError(f"{name} holds an object array; refusing to unpickle")
        logger.debug("%s: %s %s %s", name, key, arr.dtype, arr.shape)
    return arrays


def _state(members: Mapping[str, bytes], component: str) -> tuple[Any, dict[str, np.ndarray]]:
    meta_name, arrays_name = fmt.component_files(component)
    meta = _json(members[meta_name], meta_name)
    if not isinstance(meta, dict):
        raise BundleError(f"{meta_name}: expected a JSON object")
    return meta, _arrays(members[arrays_name], arrays_name)


# ---------------------------------------------------------------------- rebuilding
def _rebuild(build: Any, meta: Any, arrays: Any, what: str, source: str) -> Any:
    try:
        return build(meta, arrays)
    except BundleError as err:
        raise BundleError(f"{source}: {err}") from None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        raise BundleError(f"{source}: cannot rebuild the {what}: {err!r}") from None


def _theme_class(kind: Any, source: str) -> type:
    """The registered class of ``kind``; the string only selects, it never imports code."""
    import topickit.themes  # noqa: F401  (registers topickit's own classifier kinds)

    cls = THEME_CLASSIFIERS.find(kind, saved=True)
    if cls is None:
        known = ", ".join(THEME_CLASSIFIERS.choices()) or "none registered"
        raise BundleError(f"{source}: unknown theme classifier kind {kind!r} (known: {known})")
    return cls


def load_bundle(path: str | os.PathLike[str]) -> Bundle:
    """Load a bundle saved by :func:`~topickit.bundle.save_bundle`.

    Parameters
    ----------
    path : str or Path
        A bundle folder or ``.zip``.

    Returns
    -------
    Bundle

    Raises
    ------
    BundleError
        One line naming the problem and the file: missing or invalid manifest, a missing,
        modified or unlisted file, pickle data, an object array, a newer major format
        version or an unknown theme classifier kind.

    Warns
    -----
    BundleWarning
        When the bundle's format has a newer minor version.
    """
    from topickit.models import TopicModel
    from topickit.text.pipeline import TextPipeline

    members = read_members(path)
    manifest = _screen(members)
    meta, arrays = _state(members, "pipeline")
    pipeline = _rebuild(TextPipeline.from_state, meta, arrays, "pipeline", "pipeline/meta.json")
    meta, arrays = _state(members, "model")
    model = _rebuild(TopicModel.from_state, meta, arrays, "topic model", "model/meta.json")
    classifier = None
    if "themes" in manifest["components"]:
        meta, arrays = _state(members, "themes")
        info = manifest.get("theme_classifier") or {}
        cls = _theme_class(info.get("kind"), "manifest.json theme_classifier")
        classifier = _rebuild(cls.from_state, meta, arrays, "theme classifier", "themes/meta.json")
    logger.info("loaded bundle %s (%s)", path, ", ".join(manifest["components"]))
    return Bundle(
        manifest=manifest,
        pipeline=pipeline,
        model=model,
        theme_classifier=classifier,
        path=Path(path),
    )
