"""Screens a bundle's parsed content must pass before anything is built from it.

Every check here works on what is already in memory and refuses with one
:class:`~topickit.exceptions.BundleError` line naming the file and the problem:

* JSON is parsed with a size limit per kind of file (see
  :func:`~topickit.bundle.format.member_size_limit`), a nesting limit and no duplicate keys;
* an ``arrays.npz`` is opened as a zip and each member's ``.npy`` header is read (never its
  data): only plain ``<name>.npy`` members, numeric dtypes, and a declared size that is
  exactly what the member holds, which a 2 KB file cannot stretch to terabytes;
* the declared shapes are checked against the component's ``meta.json`` and the manifest
  (topics x terms, one prior per topic, one frequency per term) before ``np.load`` allocates;
* loaded float arrays must be finite.
"""

from __future__ import annotations

import io
import json
import math
import re
import tokenize
import zipfile
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from topickit.bundle import format as fmt
from topickit.exceptions import BundleError

__all__ = [
    "ArrayHeader",
    "check_arrays_match",
    "check_finite",
    "check_manifest_sections",
    "check_meta",
    "check_shapes",
    "parse_json",
    "read_npy_headers",
]

#: One array's declared ``(shape, dtype)`` from its ``.npy`` header.
ArrayHeader = tuple[tuple[int, ...], np.dtype]

#: Dtype kinds an array may have: bool, signed and unsigned integers, floats.
_NUMERIC_KINDS = frozenset("biuf")
#: Most arrays one ``.npz`` may hold, and most dimensions one array may have.
_MAX_ARRAYS = 64
_MAX_NDIM = 3
#: deflate cannot expand data by more than about 1032:1; a little slack for headers.
_DEFLATE_MAX_RATIO = 1032
_DEFLATE_SLACK = 1024
_NPY_MEMBER = re.compile(r"[A-Za-z0-9_.\-]+\.npy")
_MAX_NPY_HEADER = 10_000

# Allowed shapes of model arrays by name: "K" is the topic count, "V" the vocabulary length.
# A gensim eta is one prior per term, or per topic and term (seeded LDA).
_MODEL_SHAPES = {
    "components": (("K", "V"),),
    "sstats": (("K", "V"),),
    "raw_components": (("K", "V"),),
    "exp_dirichlet_component": (("K", "V"),),
    "idf": (("V",),),
    "eta": (("V",), ("K", "V")),
    "state_eta": (("V",), ("K", "V")),
    "alpha": (("K",),),
    "singular_values": (("K",),),
    "explained_variance_ratio": (("K",),),
}
_PIPELINE_SHAPES = {"dfs": (("V",),), "cfs": (("V",),)}
_PIPELINE_INTEGER = ("dfs", "cfs")


# ---------------------------------------------------------------------- JSON
def _no_duplicate_keys(name: str):
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise BundleError(f"{name}: key {key!r} occurs twice in one JSON object")
            out[key] = value
        return out

    return hook


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level + 1)
            stack.extend((child, level + 1) for child in item)
    return deepest


def parse_json(data: bytes, name: str) -> Any:
    """Parse a bundle JSON member within its size and nesting limits.

    Raises
    ------
    BundleError
        When the file is too large, not UTF-8 JSON, nested too deeply or repeats a key.
    """
    limit = fmt.member_size_limit(name)
    if len(data) > limit:
        raise BundleError(f"{name} is {len(data)} bytes; a bundle allows at most {limit} here")
    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicate_keys(name))
    except BundleError:
        raise
    except RecursionError:
        raise BundleError(f"{name} is nested too deeply to be bundle JSON") from None
    except (UnicodeDecodeError, ValueError) as err:
        raise BundleError(f"{name} is not valid JSON: {err}") from None
    if _depth(value) > fmt.MAX_JSON_DEPTH:
        raise BundleError(f"{name} nests JSON deeper than {fmt.MAX_JSON_DEPTH} levels")
    return value


# ---------------------------------------------------------------------- .npy headers
def _declared_limit(info: zipfile.ZipInfo) -> int:
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size
    return info.compress_size * _DEFLATE_MAX_RATIO + _DEFLATE_SLACK


def _header_of(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[ArrayHeader, int]:
    """The declared ``(shape, dtype)`` of one member and the byte offset of its data."""
    with archive.open(info) as handle:
        version = np.lib.format.read_magic(handle)
        if version == (1, 0):
            read = np.lib.format.read_array_header_1_0
        elif version == (2, 0):
            read = np.lib.format.read_array_header_2_0
        else:
            raise ValueError(f"unsupported .npy version {version}")
        shape, _fortran, dtype = read(handle, max_header_size=_MAX_NPY_HEADER)
        return (tuple(int(n) for n in shape), dtype), handle.tell()


def _check_dtype(dtype: np.dtype, where: str, name: str) -> None:
    if dtype.hasobject:
        raise BundleError(f"{name} holds an object array; refusing to unpickle")
    if dtype.names is not None or dtype.subdtype is not None or dtype.kind not in _NUMERIC_KINDS:
        raise BundleError(
            f"{where}: dtype {dtype.str} is not allowed; bundle arrays are bool, int or float"
        )


def read_npy_headers(data: bytes, name: str) -> dict[str, ArrayHeader]:
    """Every array's declared shape and dtype in an ``.npz``, read without loading data.

    Raises
    ------
    BundleError
        For a member that is not a plain ``<name>.npy`` array, a duplicate or encrypted
        member, a non-numeric dtype, or a declared size that differs from what the member
        holds (or could hold given its compressed size).
    """
    headers: dict[str, ArrayHeader] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > _MAX_ARRAYS:
                raise BundleError(f"{name} has {len(infos)} members; at most {_MAX_ARRAYS}")
            for info in infos:
                where = f"{name}:{info.filename}"
                if not _NPY_MEMBER.fullmatch(info.filename):
                    raise BundleError(f"{where} is not a .npy array member")
                key = info.filename[: -len(".npy")]
                if key in headers:
                    raise BundleError(f"{name}: array {key!r} occurs twice")
                if info.flag_bits & 0x1:
                    raise BundleError(f"{where} is encrypted")
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise BundleError(f"{where} uses an unsupported zip compression")
                if info.file_size > _declared_limit(info) or info.compress_size > len(data):
                    raise BundleError(
                        f"{where} claims {info.file_size} bytes from {info.compress_size} "
                        "stored bytes, more than it can hold"
                    )
                (shape, dtype), offset = _header_of(archive, info)
                _check_dtype(dtype, where, name)
                if len(shape) > _MAX_NDIM:
                    raise BundleError(f"{where}: {len(shape)} dimensions, at most {_MAX_NDIM}")
                declared = math.prod(shape) * dtype.itemsize
                if offset + declared != info.file_size:
                    raise BundleError(
                        f"{where} declares shape {shape} of {dtype.str} ({declared} bytes) but "
                        f"holds {info.file_size - offset} bytes of data"
                    )
                headers[key] = (shape, dtype)
    except BundleError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as err:
        raise BundleError(f"{name} is not a valid .npz file: {err}") from None
    except (ValueError, TypeError, SyntaxError, RecursionError, tokenize.TokenError) as err:
        # numpy parses the header with tokenize and ast.literal_eval, hence the odd errors
        raise BundleError(f"{name}: unreadable .npy header: {err}") from None
    return headers


# ---------------------------------------------------------------------- meta and manifest
def _need(meta: Mapping[str, Any], key: str, kind: type | tuple[type, ...], name: str) -> Any:
    if key not in meta:
        raise BundleError(f"{name}: missing key {key!r}")
    value = meta[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        wanted = " or ".join(k.__name__ for k in kinds)
        raise BundleError(f"{name}: {key} must be a JSON {wanted}, not {type(value).__name__}")
    return value


def _strings(value: list[Any], key: str, name: str) -> None:
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise BundleError(f"{name}: {key}[{i}] must be a string, not {type(item).__name__}")


def check_meta(component: str, meta: Any, name: str) -> None:
    """Check the types of the ``meta.json`` fields the loaders rely on.

    Raises
    ------
    BundleError
        Naming the file and the first field of the wrong type.
    """
    if not isinstance(meta, dict):
        raise BundleError(f"{name}: expected a JSON object")
    if component == "themes":
        # Registered classifiers may keep their own layout: check the common keys they have.
        kinds = {"kind": str, "params": dict, "codebook": dict, "n_params": int}
        for key in (k for k in kinds if k in meta):
            _need(meta, key, kinds[key], name)
        return
    _need(meta, "params", dict, name)
    _strings(_need(meta, "vocabulary", list, name), "vocabulary", name)
    if component == "model":
        _need(meta, "kind", str, name)
        _strings(_need(meta, "array_params", list, name), "array_params", name)
        if _need(meta, "n_topics", int, name) < 1:
            raise BundleError(f"{name}: n_topics must be at least 1")


def check_manifest_sections(manifest: Mapping[str, Any]) -> None:
    """Check the manifest fields a :class:`~topickit.bundle.Bundle` reads beyond the basics."""
    from topickit.segment import LEVELS

    name = fmt.MANIFEST_NAME
    level = manifest["corpus"].get("level")
    if level not in LEVELS:
        raise BundleError(f"{name}: corpus.level {level!r} is not one of {', '.join(LEVELS)}")
    for key in ("model", "theme_classifier", "versions"):
        if manifest.get(key) is not None and not isinstance(manifest[key], dict):
            raise BundleError(f"{name}: {key} must be a JSON object")
    model = manifest.get("model") or {}
    for key in ("n_topics", "n_terms"):
        value = model.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise BundleError(f"{name}: model.{key} must be an integer")
    if "themes" in manifest["components"]:
        info = manifest.get("theme_classifier") or {}
        if not isinstance(info.get("kind"), str):
            raise BundleError(f"{name}: theme_classifier.kind must be a string")


# ---------------------------------------------------------------------- shapes
def _expected(dims: tuple[str, ...], sizes: Mapping[str, int]) -> tuple[int, ...]:
    return tuple(sizes[d] for d in dims)


def check_shapes(
    component: str,
    meta: Mapping[str, Any],
    headers: Mapping[str, ArrayHeader],
    manifest: Mapping[str, Any],
    name: str,
) -> None:
    """Check declared array shapes against ``meta.json``, each other and the manifest.

    Runs before any array is loaded, so a ``meta.json`` claiming ``n_topics = 10**12`` (or
    a header claiming a huge shape) is refused without allocating.
    """
    if component == "pipeline":
        sizes = {"V": len(meta["vocabulary"])}
        table = _PIPELINE_SHAPES
        for key in _PIPELINE_INTEGER:
            if key in headers and headers[key][1].kind not in "iu":
                raise BundleError(f"{name}: {key} must be an integer array")
    elif component == "model":
        sizes = {"K": meta["n_topics"], "V": len(meta["vocabulary"])}
        table = _MODEL_SHAPES
        declared = meta["params"].get("n_topics")
        if declared is not None and declared != sizes["K"]:
            raise BundleError(
                f"model/meta.json: params.n_topics is {declared!r} but n_topics is {sizes['K']}"
            )
        summary = manifest.get("model") or {}
        for key, size in (("n_topics", sizes["K"]), ("n_terms", sizes["V"])):
            if summary.get(key) is not None and summary[key] != size:
                stated = summary[key]
                raise BundleError(
                    f"model/meta.json: {key} is {size}, manifest.json model.{key} says {stated}"
                )
    else:
        themes = (meta.get("codebook") or {}).get("themes")
        sizes = {"T": len(themes) if isinstance(themes, list) else 0}
        table = {"prior": (("T",),)} if isinstance(themes, list) else {}
    for key, (shape, _dtype) in headers.items():
        allowed = [_expected(dims, sizes) for dims in table.get(key, ())]
        if allowed and shape not in allowed:
            wanted = " or ".join(str(a) for a in allowed)
            raise BundleError(
                f"{name}: array {key!r} has shape {shape}, expected {wanted} "
                f"from {component}/meta.json"
            )


def check_arrays_match(
    arrays: Mapping[str, np.ndarray], headers: Mapping[str, ArrayHeader], name: str
) -> None:
    """The loaded arrays are exactly the screened ones."""
    if set(arrays) != set(headers):
        raise BundleError(f"{name}: loaded arrays differ from the screened members")
    for key, arr in arrays.items():
        if (arr.shape, arr.dtype) != headers[key]:
            raise BundleError(f"{name}: array {key!r} changed between screening and loading")


def check_finite(arrays: Mapping[str, np.ndarray], name: str) -> None:
    """Refuse NaN or infinite values in float arrays."""
    for key, arr in arrays.items():
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            raise BundleError(f"{name}: array {key!r} holds NaN or infinite values")
