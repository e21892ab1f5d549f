"""The bundle format: manifest schema, version constants, checksums and safety screens.

A bundle is a folder (or a ``.zip`` of it) holding ``manifest.json`` plus one
``<component>/meta.json`` (JSON) and ``<component>/arrays.npz`` (numeric arrays) per
component. The manifest lists the SHA-256 of every other file. Nothing is ever unpickled.
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
    "MANIFEST_NAME",
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
    "is_safe_member_name",
    "looks_like_pickle",
    "sha256_hex",
    "to_plain",
    "validate_manifest",
]

#: Value of the manifest's ``format`` key.
FORMAT_NAME = "topickit-bundle"
#: ``major.minor``; a newer major cannot be read, a newer minor is read with a warning.
FORMAT_VERSION = "1.0"
#: Name of the manifest file at the bundle root.
MANIFEST_NAME = "manifest.json"
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

_SAFE_DTYPE_KINDS = frozenset("biufcUS")
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
    """A relative POSIX path with no ``..``, drive letter, backslash or empty part."""
    if not name or "\\" in name or "\0" in name or name.startswith("/"):
        return False
    parts = PurePosixPath(name).parts
    if not parts or parts[0].endswith(":"):
        return False
    return all(p not in ("", ".", "..") for p in parts) and not re.match(r"^[A-Za-z]:", name)


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
    """Numeric, bool or string arrays keyed by plain names; object arrays are refused."""
    out = {}
    for key, value in arrays.items():
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z0-9_.\-]+", key):
            raise BundleError(f"{where}: array name {key!r} must be letters, digits, _ . or -")
        arr = np.asarray(value)
        if arr.dtype.kind not in _SAFE_DTYPE_KINDS:
            raise BundleError(
                f"{where}: array {key!r} has dtype {arr.dtype}; only numeric, bool and string "
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
        if comp not in COMPONENTS:
            raise BundleError(
                f"manifest.json: unknown component {comp!r}; known: {', '.join(COMPONENTS)}"
            )
    for comp in REQUIRED_COMPONENTS:
        if comp not in components:
            raise BundleError(f"manifest.json: components must include {comp!r}")
    for name, digest in manifest["files"].items():
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
