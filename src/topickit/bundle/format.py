"""The bundle format: manifest schema, version constants, checksums and safety screens.

A bundle is a folder (or a ``.zip`` of it) holding ``manifest.json`` plus one
``<component>/meta.json`` (JSON) and ``<component>/arrays.npz`` (numeric arrays) per
component. The manifest lists the SHA-256 of every other file, and ``manifest.sha256`` holds
the SHA-256 of ``manifest.json`` itself (in ``sha256sum`` format, so
``sha256sum -c manifest.sha256`` checks it too). Nothing is ever unpickled.
"""

from __future__ import annotations

import hashlib
import math
import re
import warnings
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from topickit.exceptions import BundleError

__all__ = [
    "COMPONENTS",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "IGNORED_NAMES",
    "MANIFEST_DIGEST_NAME",
    "MANIFEST_NAME",
    "MAX_JSON_DEPTH",
    "MAX_MEMBERS",
    "MAX_MEMBER_BYTES",
    "MAX_TOTAL_BYTES",
    "PICKLE_SUFFIXES",
    "REQUIRED_COMPONENTS",
    "REQUIRED_KEYS",
    "BundleWarning",
    "check_arrays",
    "check_format",
    "component_files",
    "digest_required",
    "is_safe_member_name",
    "looks_like_pickle",
    "manifest_digest_bytes",
    "member_size_limit",
    "read_manifest_digest",
    "sha256_hex",
    "to_plain",
    "validate_manifest",
]

#: Value of the manifest's ``format`` key.
FORMAT_NAME = "topickit-bundle"
#: ``major.minor``; a newer major cannot be read, a newer minor is read with a warning.
#: 1.1 added ``manifest.sha256``; a 1.0 bundle (which has none) loads with a warning.
FORMAT_VERSION = "1.1"
#: The first version whose bundles must carry ``manifest.sha256``.
DIGEST_REQUIRED_SINCE = (1, 1)
#: Name of the manifest file at the bundle root.
MANIFEST_NAME = "manifest.json"
#: Name of the file holding the manifest's own SHA-256, at the bundle root.
MANIFEST_DIGEST_NAME = "manifest.sha256"
#: Keys every manifest has.
REQUIRED_KEYS = (
    "format",
    "format_version",
    "topickit_version",
    "created",
    "config",
    "corpus",
    "codebook",
    "metrics",
    "components",
    "files",
)
#: Parts a bundle may hold, in the order they are written.
COMPONENTS = ("pipeline", "model", "themes")
REQUIRED_COMPONENTS = ("pipeline", "model")
#: File name endings that are refused outright.
PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".pck", ".dill")
#: Desktop clutter that may appear in a copied bundle; never read, never refused.
IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
#: Limits on what a bundle may contain (guards against zip bombs and runaway files).
MAX_MEMBER_BYTES = 1 << 30
MAX_TOTAL_BYTES = 2 << 30
MAX_MEMBERS = 1000
#: Size limits by kind of member. The manifest holds config, corpus summary, codebook and
#: metrics (kilobytes in practice); a ``meta.json`` holds a vocabulary and phrase table
#: (a million 60-byte terms fit); the digest file is one ``sha256sum`` line.
MAX_MANIFEST_BYTES = 4 << 20
MAX_META_BYTES = 64 << 20
MAX_DIGEST_BYTES = 256
#: Deepest nesting of JSON arrays and objects a bundle file may have (a codebook needs ~5).
MAX_JSON_DEPTH = 32

_SAFE_DTYPE_KINDS = frozenset("biufcUS")
#: Dtype kinds a bundle array may have (what the loader's header screen accepts).
_ARRAY_DTYPE_KINDS = frozenset("biuf")
_SHA256 = re.compile(r"[0-9a-f]{64}")
# First bytes of protocol 0/1 pickles (MARK, GLOBAL, EMPTY_LIST/DICT/TUPLE, NONE, INT ...).
_OLD_PICKLE_STARTS = frozenset(b"(c])}NIJKLFSVUXTaGdl")


class BundleWarning(UserWarning):
    """A bundle loads, but something about it deserves attention (e.g. a newer minor format)."""


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def looks_like_pickle(name: str, data: bytes) -> bool:
    """Whether a bundle member is (or claims to be) pickle data.

    A pickle-like file name, a protocol-2+ header (``b"\\x80"``), or a protocol 0/1 stream
    (an opcode first and the STOP opcode ``.`` last) all count. None of the bundle's own
    file types (JSON, ``.npz``) can look like this.
    """
    if name.lower().endswith(PICKLE_SUFFIXES):
        return True
    if data[:1] == b"\x80":
        return True
    return len(data) > 1 and data[0] in _OLD_PICKLE_STARTS and data.rstrip(b"\n")[-1:] == b"."


def is_safe_member_name(name: str) -> bool:
    """A relative POSIX path with no ``..``, drive letter, backslash, control character or
    empty part."""
    if not name or "\\" in name or name.startswith("/"):
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return False
    parts = PurePosixPath(name).parts
    if not parts or parts[0].endswith(":"):
        return False
    return all(p not in ("", ".", "..") for p in parts) and not re.match(r"^[A-Za-z]:", name)


def member_size_limit(name: str) -> int:
    """The largest size in bytes a bundle member of this name may have."""
    if name == MANIFEST_DIGEST_NAME:
        return MAX_DIGEST_BYTES
    if name == MANIFEST_NAME:
        return MAX_MANIFEST_BYTES
    if name.endswith(".json"):
        return MAX_META_BYTES
    return MAX_MEMBER_BYTES


def manifest_digest_bytes(manifest: bytes) -> bytes:
    """Content of ``manifest.sha256`` for the raw bytes of ``manifest.json``."""
    return f"{sha256_hex(manifest)}  {MANIFEST_NAME}\n".encode("ascii")


def read_manifest_digest(data: bytes) -> str:
    """The hex digest stated by a ``manifest.sha256`` file.

    Raises
    ------
    BundleError
        When the file is not one ``<64 hex digits>  manifest.json`` line.
    """
    match = re.fullmatch(rb"([0-9a-f]{64}) [ *]manifest\.json\n?", data)
    if match is None:
        raise BundleError(
            f"{MANIFEST_DIGEST_NAME}: expected one line '<sha256 hex>  {MANIFEST_NAME}'"
        )
    return match.group(1).decode("ascii")


def component_files(component: str) -> tuple[str, str]:
    """``(meta, arrays)`` file names of a component."""
    return f"{component}/meta.json", f"{component}/arrays.npz"


def to_plain(value: Any, where: str, *, finite: bool = False) -> Any:
    """Convert ``value`` to plain JSON data, or raise BundleError naming ``where``.

    Numpy scalars and 1-d arrays become Python values, tuples become lists and paths become
    strings. With ``finite=True`` a NaN or infinite float becomes ``None``.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if finite and not math.isfinite(value) else value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in _SAFE_DTYPE_KINDS:
        return to_plain(value.tolist(), where, finite=finite)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise BundleError(f"{where}: key {key!r} is not a string; JSON needs string keys")
            out[key] = to_plain(item, f"{where}.{key}", finite=finite)
        return out
    if isinstance(value, list | tuple):
        return [to_plain(v, f"{where}[{i}]", finite=finite) for i, v in enumerate(value)]
    raise BundleError(f"{where}: a {type(value).__name__} cannot be stored as plain JSON")


def check_arrays(arrays: Mapping[str, Any], where: str) -> dict[str, np.ndarray]:
    """Bool, integer or float arrays keyed by plain names; anything else is refused.

    These are the dtypes :func:`~topickit.bundle.load_bundle` accepts, so a bundle that
    saves also loads (object arrays would need pickle; strings belong in ``meta.json``).
    """
    out = {}
    for key, value in arrays.items():
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z0-9_.\-]+", key):
            raise BundleError(f"{where}: array name {key!r} must be letters, digits, _ . or -")
        arr = np.asarray(value)
        if arr.dtype.kind not in _ARRAY_DTYPE_KINDS or arr.dtype.names is not None:
            raise BundleError(
                f"{where}: array {key!r} has dtype {arr.dtype}; only bool, integer and float "
                "arrays can be saved (object arrays would need pickle)"
            )
        out[key] = arr
    return out


def _parse_version(text: Any) -> tuple[int, int]:
    if not isinstance(text, str) or not re.fullmatch(r"\d+\.\d+", text):
        raise BundleError(
            f"manifest.json: format_version {text!r} is not of the form 'major.minor'"
        )
    major, minor = text.split(".")
    return int(major), int(minor)


def digest_required(manifest: Mapping[str, Any]) -> bool:
    """Whether a bundle of this (already checked) manifest's version must have a digest."""
    return _parse_version(manifest.get("format_version")) >= DIGEST_REQUIRED_SINCE


def check_format(manifest: Mapping[str, Any]) -> None:
    """Check the format name and version; warn on a newer minor version.

    Raises
    ------
    BundleError
        When the bundle is not a topickit bundle or its major version is not supported.
    """
    name = manifest.get("format")
    if name != FORMAT_NAME:
        raise BundleError(f"manifest.json: format is {name!r}, expected {FORMAT_NAME!r}")
    found = manifest.get("format_version")
    major, minor = _parse_version(found)
    own_major, own_minor = _parse_version(FORMAT_VERSION)
    if major > own_major:
        raise BundleError(
            f"bundle format version {found} is newer than this topickit reads ({FORMAT_VERSION}); "
            "upgrade topickit to load it"
        )
    if major < own_major:
        raise BundleError(
            f"bundle format version {found} is older than this topickit reads ({FORMAT_VERSION}); "
            "re-save the bundle with a matching topickit"
        )
    if minor > own_minor:
        warnings.warn(
            f"bundle format version {found} is newer than {FORMAT_VERSION}; "
            "it loads, but parts added since may be ignored",
            BundleWarning,
            stacklevel=3,
        )


def validate_manifest(manifest: Any) -> None:
    """Check a parsed manifest: format, version, required keys and their types.

    Raises
    ------
    BundleError
        Naming the first key at fault.
    """
    if not isinstance(manifest, dict):
        raise BundleError("manifest.json: expected a JSON object")
    check_format(manifest)
    for key in REQUIRED_KEYS:
        if key not in manifest:
            raise BundleError(f"manifest.json: missing required key {key!r}")
    types = {
        "topickit_version": str,
        "created": str,
        "config": dict,
        "corpus": dict,
        "metrics": dict,
        "components": list,
        "files": dict,
    }
    for key, kind in types.items():
        if not isinstance(manifest[key], kind):
            raise BundleError(f"manifest.json: {key} must be a JSON {kind.__name__}")
    if manifest["codebook"] is not None and not isinstance(manifest["codebook"], dict):
        raise BundleError("manifest.json: codebook must be a JSON object or null")
    components = manifest["components"]
    for comp in components:
        if not isinstance(comp, str) or comp not in COMPONENTS:
            raise BundleError(
                f"manifest.json: unknown component {comp!r}; known: {', '.join(COMPONENTS)}"
            )
    if len(set(components)) != len(components):
        raise BundleError("manifest.json: components lists a component twice")
    for comp in REQUIRED_COMPONENTS:
        if comp not in components:
            raise BundleError(f"manifest.json: components must include {comp!r}")
    for name, digest in manifest["files"].items():
        if name in (MANIFEST_NAME, MANIFEST_DIGEST_NAME):
            raise BundleError(f"manifest.json: files must not list {name}")
        if not is_safe_member_name(name):
            raise BundleError(f"manifest.json: files lists an unsafe path {name!r}")
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise BundleError(f"manifest.json: files[{name!r}] is not a SHA-256 hex digest")
    for comp in components:
        for needed in component_files(comp):
            if needed not in manifest["files"]:
                raise BundleError(
                    f"manifest.json: component {comp!r} needs {needed}, which files does not list"
                )
