"""Read a bundle folder or ``.zip`` safely and rebuild its parts, never unpickling.

All members are read into memory first (with size limits and path checks), screened for
pickle data, checked against the manifest's SHA-256 list, and only then parsed: JSON with
:mod:`json`, arrays with ``np.load(..., allow_pickle=False)``.
"""

from __future__ import annotations

import importlib
import io
import logging
import os
import stat
import warnings
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from topickit.bundle import format as fmt
from topickit.bundle import screening
from topickit.bundle.bundle import Bundle
from topickit.exceptions import BundleError, TopickitError

__all__ = ["THEME_CLASSIFIERS", "load_bundle", "read_members", "register_theme_classifier"]

logger = logging.getLogger(__name__)

#: Theme classifier classes by their ``kind``; filled by :func:`register_theme_classifier`.
THEME_CLASSIFIERS: dict[str, type] = {}


def register_theme_classifier(cls: type) -> type:
    """Let bundles rebuild theme classifiers of ``cls.kind`` (usable as a class decorator).

    Parameters
    ----------
    cls : type
        A class with a non-empty ``kind`` string and a ``from_state(meta, arrays)`` classmethod.

    Returns
    -------
    type
        ``cls`` itself.
    """
    kind = getattr(cls, "kind", None)
    if not isinstance(kind, str) or not kind:
        raise TypeError(f"{cls!r} needs a non-empty 'kind' string to be registered")
    if not callable(getattr(cls, "from_state", None)):
        raise TypeError(f"{cls.__name__} needs a from_state(meta, arrays) classmethod")
    THEME_CLASSIFIERS[kind] = cls
    return cls


# ---------------------------------------------------------------------- reading members
def _is_ignored(name: str) -> bool:
    parts = name.split("/")
    return parts[-1] in fmt.IGNORED_NAMES or parts[0] == "__MACOSX"


def _check_sizes(name: str, size: int, total: int) -> None:
    if size > fmt.MAX_MEMBER_BYTES or (
        size > fmt.member_size_limit(name) and not _is_ignored(name)
    ):
        raise BundleError(f"oversized bundle member: {name} ({size} bytes)")
    if total > fmt.MAX_TOTAL_BYTES:
        raise BundleError(f"bundle is too large to load at {name} ({total} bytes in all)")


def _zip_members(path: Path) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise BundleError(f"{path} is not a readable .zip bundle: {err}") from None
    members: dict[str, bytes] = {}
    total = 0
    with archive:
        infos = archive.infolist()
        if len(infos) > fmt.MAX_MEMBERS:
            raise BundleError(f"{path} has {len(infos)} members; a bundle has at most a few")
        for info in infos:
            name = info.filename.removesuffix("/") if info.is_dir() else info.filename
            if not fmt.is_safe_member_name(name):
                raise BundleError(f"unsafe path in bundle zip: {info.filename!r}")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise BundleError(f"refusing symbolic link in bundle zip: {name}")
            if info.is_dir():
                continue
            if name in members:
                raise BundleError(f"duplicate member in bundle zip: {name}")
            if info.flag_bits & 0x1:
                raise BundleError(f"refusing encrypted member in bundle zip: {name}")
            total += info.file_size
            _check_sizes(name, info.file_size, total)
            try:
                with archive.open(info) as handle:
                    data = handle.read(info.file_size + 1)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as err:
                raise BundleError(f"{path}: cannot read member {name}: {err}") from None
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


def _read_regular(file: Path, rel: str, total: int) -> bytes:
    """Bytes of a regular file, opened without following links and without blocking.

    The type is checked on the open descriptor, so a FIFO, device or socket swapped in
    after the folder was listed is refused too, never read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(file, flags)
    except OSError as err:
        raise BundleError(f"cannot open bundle file {rel}: {err.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise BundleError(f"refusing non-regular file in bundle: {rel}")
        _check_sizes(rel, info.st_size, total + info.st_size)
        data = handle.read(info.st_size + 1)
    if len(data) != info.st_size:
        raise BundleError(f"bundle file {rel} changed size while it was read")
    return data


def _folder_members(root: Path) -> dict[str, bytes]:
    members: dict[str, bytes] = {}
    total = 0
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        for name in sorted(dirs + names):
            entry = here / name
            rel = entry.relative_to(root).as_posix()
            if not fmt.is_safe_member_name(rel):
                raise BundleError(f"unsafe file name in bundle: {rel!r}")
            mode = entry.lstat().st_mode
            if stat.S_ISLNK(mode):
                raise BundleError(f"refusing symbolic link in bundle: {rel}")
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                raise BundleError(f"refusing non-regular file in bundle: {rel}")
        for name in names:
            rel = (here / name).relative_to(root).as_posix()
            members[rel] = _read_regular(here / name, rel, total)
            total += len(members[rel])
        if len(members) > fmt.MAX_MEMBERS:
            raise BundleError(f"{root} has over {fmt.MAX_MEMBERS} files; it is not a bundle")
    return members


def read_members(path: str | os.PathLike[str]) -> dict[str, bytes]:
    """Every file of a bundle folder or ``.zip`` as ``{relative POSIX path: bytes}``.

    Raises
    ------
    BundleError
        For a missing path, an unsafe zip member (``..``, absolute path, symbolic link,
        encryption, duplicate), a symbolic link or non-regular file in a folder, or an
        oversized member.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise BundleError(f"bundle {path} does not exist") from None
    except OSError as err:
        raise BundleError(f"cannot read bundle {path}: {err.strerror}") from None
    if stat.S_ISDIR(mode):
        return _folder_members(path)
    if not stat.S_ISREG(mode):
        raise BundleError(f"bundle {path} is not a regular file or folder")
    if not zipfile.is_zipfile(path):
        raise BundleError(f"{path} is neither a bundle folder nor a .zip bundle")
    return _zip_members(path)


# ---------------------------------------------------------------------- checks
def _manifest_bytes(members: Mapping[str, bytes]) -> bytes:
    """The raw manifest, after checking it against ``manifest.sha256`` when there is one."""
    if fmt.MANIFEST_NAME not in members:
        raise BundleError(f"no {fmt.MANIFEST_NAME} found; this is not a topickit bundle")
    data = members[fmt.MANIFEST_NAME]
    if fmt.MANIFEST_DIGEST_NAME in members:
        stated = fmt.read_manifest_digest(members[fmt.MANIFEST_DIGEST_NAME])
        if fmt.sha256_hex(data) != stated:
            raise BundleError(
                f"checksum mismatch for {fmt.MANIFEST_NAME}: it does not match "
                f"{fmt.MANIFEST_DIGEST_NAME}; the bundle was modified or corrupted"
            )
    return data


def _check_unverified(members: Mapping[str, bytes], manifest: Mapping[str, Any]) -> None:
    if fmt.MANIFEST_DIGEST_NAME in members:
        return
    if fmt.digest_required(manifest):
        raise BundleError(
            f"missing file in bundle: {fmt.MANIFEST_DIGEST_NAME} (format "
            f"{manifest['format_version']} bundles must have it to verify {fmt.MANIFEST_NAME})"
        )
    warnings.warn(
        f"bundle format {manifest['format_version']} has no {fmt.MANIFEST_DIGEST_NAME}, so "
        f"{fmt.MANIFEST_NAME} (metrics, level, settings) cannot be verified; re-save it",
        fmt.BundleWarning,
        stacklevel=4,
    )


def _screen(members: Mapping[str, bytes]) -> dict[str, Any]:
    """Refuse pickles, verify and validate the manifest, and verify every file."""
    for name, data in members.items():
        if fmt.looks_like_pickle(name, data):
            raise BundleError(f"refusing to load pickle data: {name}")
    manifest = screening.parse_json(_manifest_bytes(members), fmt.MANIFEST_NAME)
    fmt.validate_manifest(manifest)
    _check_unverified(members, manifest)
    listed = manifest["files"]
    for name, digest in listed.items():
        if name not in members:
            raise BundleError(f"missing file in bundle: {name}")
        if fmt.sha256_hex(members[name]) != digest:
            raise BundleError(f"checksum mismatch for {name}: the bundle was modified or corrupted")
    own = (fmt.MANIFEST_NAME, fmt.MANIFEST_DIGEST_NAME)
    for name in sorted(members):
        if name not in own and name not in listed and not _is_ignored(name):
            raise BundleError(
                f"unlisted file in bundle: {name} is not in manifest.json 'files' "
                "(the bundle was modified); remove it to load the bundle"
            )
    screening.check_manifest_sections(manifest)
    _check_codebook(manifest)
    return manifest


def _check_codebook(manifest: Mapping[str, Any]) -> None:
    from topickit.themes.codebook import Codebook

    if manifest["codebook"] is None:
        return
    try:
        Codebook.from_dict(manifest["codebook"], source="manifest.json codebook")
    except TopickitError as err:
        raise BundleError(str(err)) from None


def _arrays(data: bytes, name: str, headers: Mapping[str, Any]) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except ValueError as err:
        raise BundleError(f"{name}: cannot read arrays: {err}") from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as err:
        raise BundleError(f"{name} is not a valid .npz file: {err}") from None
    screening.check_arrays_match(arrays, headers, name)
    screening.check_finite(arrays, name)
    for key, arr in arrays.items():
        logger.debug("%s: %s %s %s", name, key, arr.dtype, arr.shape)
    return arrays


def _state(
    members: Mapping[str, bytes], component: str, manifest: Mapping[str, Any]
) -> tuple[Any, dict[str, np.ndarray]]:
    """A component's meta and arrays, screened before the arrays are allocated."""
    meta_name, arrays_name = fmt.component_files(component)
    meta = screening.parse_json(members[meta_name], meta_name)
    screening.check_meta(component, meta, meta_name)
    headers = screening.read_npy_headers(members[arrays_name], arrays_name)
    screening.check_shapes(component, meta, headers, manifest, arrays_name)
    return meta, _arrays(members[arrays_name], arrays_name, headers)


# ---------------------------------------------------------------------- rebuilding
def _rebuild(build: Any, meta: Any, arrays: Any, what: str, source: str) -> Any:
    try:
        return build(meta, arrays)
    except BundleError as err:
        raise BundleError(f"{source}: {err}") from None
    except (
        ArithmeticError,
        AttributeError,
        LookupError,
        RecursionError,
        TypeError,
        ValueError,
    ) as err:
        raise BundleError(f"{source}: cannot rebuild the {what}: {err!r}") from None


def _validated(from_state: Any) -> Any:
    """``from_state`` followed by the estimator's own parameter check.

    Estimators validate their parameters in ``fit``, which a loaded one never runs; without
    this a crafted ``params`` entry would load and fail later, inside ``transform``.
    """

    def build(meta: Any, arrays: Any) -> Any:
        obj = from_state(meta, arrays)
        check = getattr(obj, "_validate_params", None)
        if callable(check):
            check()
        return obj

    return build


def _builtin_theme_classifiers() -> None:
    """Add topickit's own classifier kinds (from ``topickit.themes.registry``) if missing."""
    try:
        registry = importlib.import_module("topickit.themes.registry")
    except ModuleNotFoundError:  # pragma: no cover - older layouts without a registry
        return
    for kind, cls in getattr(registry, "THEME_CLASSIFIERS", {}).items():
        THEME_CLASSIFIERS.setdefault(kind, cls)


def _theme_class(kind: Any, source: str) -> type:
    if kind not in THEME_CLASSIFIERS:
        _builtin_theme_classifiers()
    if not isinstance(kind, str) or kind not in THEME_CLASSIFIERS:
        known = ", ".join(sorted(THEME_CLASSIFIERS)) or "none registered"
        raise BundleError(f"{source}: unknown theme classifier kind {kind!r} (known: {known})")
    return THEME_CLASSIFIERS[kind]


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
    meta, arrays = _state(members, "pipeline", manifest)
    pipeline = _rebuild(TextPipeline.from_state, meta, arrays, "pipeline", "pipeline/meta.json")
    meta, arrays = _state(members, "model", manifest)
    model = _rebuild(
        _validated(TopicModel.from_state), meta, arrays, "topic model", "model/meta.json"
    )
    classifier = None
    if "themes" in manifest["components"]:
        meta, arrays = _state(members, "themes", manifest)
        info = manifest.get("theme_classifier") or {}
        cls = _theme_class(info.get("kind"), "manifest.json theme_classifier")
        build = _validated(cls.from_state)
        classifier = _rebuild(build, meta, arrays, "theme classifier", "themes/meta.json")
    logger.info("loaded bundle %s (%s)", path, ", ".join(manifest["components"]))
    return Bundle(
        manifest=manifest,
        pipeline=pipeline,
        model=model,
        theme_classifier=classifier,
        path=Path(path),
    )
