"""Read a bundle folder or ``.zip`` safely and rebuild its parts, never unpickling.

All members are read into memory first (regular files only, with size limits and path
checks), screened for pickle data; the manifest is checked against ``manifest.sha256`` and
every other file against the manifest's SHA-256 list. Only then is anything parsed: JSON
within size and depth limits, and arrays with ``np.load(..., allow_pickle=False)`` once
their ``.npy`` headers have passed :mod:`topickit.bundle.screening`.
"""

from __future__ import annotations

import io
import logging
import os
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
from topickit.bundle.members import is_ignored, read_members
from topickit.exceptions import BundleError, TopickitError
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
        if name not in own and name not in listed and not is_ignored(name):
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
        One line naming the problem and the file: a missing, invalid or modified manifest
        (or ``manifest.sha256``), a missing, modified or unlisted file, a symbolic link or
        non-regular file, an unsafe or duplicate zip member, oversized or too deeply nested
        JSON, a field of the wrong type, pickle data, an array whose declared shape or
        dtype does not fit (non-numeric, larger than its file, or at odds with the
        vocabulary and topic count), NaN or infinite weights, a newer major format
        version or an unknown theme classifier kind.

    Warns
    -----
    BundleWarning
        When the bundle's format has a newer minor version, or is a format 1.0 bundle,
        whose manifest has no digest and so cannot be verified.
    """
    from topickit.models import TopicModel
    from topickit.text.pipeline import TextPipeline

    members = read_members(path)
    manifest = _screen(members)
    meta, arrays = _state(members, "pipeline", manifest)
    pipeline = _rebuild(TextPipeline.from_state, meta, arrays, "pipeline", "pipeline/meta.json")
    meta, arrays = _state(members, "model", manifest)
    model = _rebuild(TopicModel.from_state, meta, arrays, "topic model", "model/meta.json")
    classifier = None
    if "themes" in manifest["components"]:
        meta, arrays = _state(members, "themes", manifest)
        info = manifest.get("theme_classifier") or {}
        cls = _theme_class(info.get("kind"), "manifest.json theme_classifier")
        build = cls.from_state
        classifier = _rebuild(build, meta, arrays, "theme classifier", "themes/meta.json")
    logger.info("loaded bundle %s (%s)", path, ", ".join(manifest["components"]))
    return Bundle(
        manifest=manifest,
        pipeline=pipeline,
        model=model,
        theme_classifier=classifier,
        path=Path(path),
    )
