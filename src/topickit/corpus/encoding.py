"""Turn the bytes of a corpus file into text, or say why the file cannot be used.

The rules, in order:

1. A byte-order mark decides: UTF-32, UTF-16 or UTF-8 (the mark is dropped).
2. NUL bytes without such a mark mean a binary file, which is skipped.
3. UTF-8 is tried first; legacy files fall back to cp1252, then latin-1, with a
   :class:`~topickit.exceptions.CorpusWarning` naming the file and the encoding used.
4. Text that is mostly control characters is binary; empty or white-space-only text is
   skipped as empty.

An explicit ``encoding`` bypasses the guessing; failing to decode with it is a
:class:`~topickit.exceptions.CorpusError` naming the file.
"""

from __future__ import annotations

import codecs
import logging
import unicodedata
import warnings
from pathlib import Path

from topickit.exceptions import CorpusError, CorpusWarning

__all__ = ["FALLBACK_ENCODINGS", "decode_bytes", "sniff_encoding"]

logger = logging.getLogger(__name__)

#: Legacy encodings tried, in order, when a file is not valid UTF-8.
FALLBACK_ENCODINGS = ("cp1252", "latin-1")

#: Above this share of control characters, decoded text is taken to be binary.
_MAX_CONTROL_SHARE = 0.10

#: How many bytes of a table file are read to choose its encoding.
_SNIFF_BYTES = 64 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")


def _bom_encoding(data: bytes) -> str | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    controls = sum(
        1 for ch in text if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs")
    )
    return controls / len(text)


def _universal_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _codec_for_explicit(encoding: str, source: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise CorpusError.at(source, f"unknown encoding {encoding!r}") from None
    # Drop a UTF-8 byte-order mark even when UTF-8 is named explicitly.
    return "utf-8-sig" if name == "utf-8" else encoding


def _check_text(text: str) -> str | None:
    """Return a skip reason for decoded text, or None when it is usable."""
    if not text.strip():
        return "empty file"
    if _control_share(text) > _MAX_CONTROL_SHARE:
        return "binary file (mostly non-text characters)"
    return None


def decode_bytes(
    data: bytes, *, source: str, encoding: str | None = None
) -> tuple[str | None, str]:
    """Decode the bytes of one text file.

    Parameters
    ----------
    data : bytes
        The file's content.
    source : str
        Name of the file, used in warnings and errors.
    encoding : str or None, default None
        Codec to use as given. ``None`` detects it (byte-order mark, UTF-8, then
        cp1252 and latin-1 with a :class:`~topickit.exceptions.CorpusWarning`).

    Returns
    -------
    text : str or None
        The decoded text with ``"\\n"`` line ends, or ``None`` when the file must be skipped.
    detail : str
        The encoding used when ``text`` is a string; otherwise the reason for skipping
        (``"empty file"``, ``"binary file (...)"``). The caller reports skips.

    Raises
    ------
    CorpusError
        If ``encoding`` is given and is unknown or cannot decode the bytes.
    """
    if encoding is not None:
        codec = _codec_for_explicit(encoding, source)
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise CorpusError.at(
                source,
                f"cannot be decoded as {encoding} (byte {exc.start}); "
                "pass the right encoding= or leave it unset to detect it",
            ) from None
        reason = _check_text(text)
        return (None, reason) if reason else (_universal_newlines(text), encoding)

    if not data.strip():
        return None, "empty file"

    bom = _bom_encoding(data)
    if bom is not None:
        try:
            text = data.decode(bom)
        except UnicodeDecodeError:
            return None, f"binary file (byte-order mark but invalid {bom})"
        used = "utf-8" if bom == "utf-8-sig" else bom
    elif b"\x00" in data:
        return None, "binary file (NUL bytes)"
    else:
        text, used = _decode_with_fallback(data, source)

    reason = _check_text(text)
    if reason:
        return None, reason
    return _universal_newlines(text), used


def _decode_with_fallback(data: bytes, source: str) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for name in FALLBACK_ENCODINGS:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        _warn_fallback(source, name)
        return text, name
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _warn_fallback(source: str, name: str) -> None:
    warnings.warn(
        f"{source}: not valid UTF-8; decoded as {name}",
        CorpusWarning,
        stacklevel=4,
    )
    logger.info("%s decoded as %s", source, name)


def sniff_encoding(path: Path, *, source: str, encoding: str | None = None) -> str:
    """Choose the codec for streaming a text table (CSV, TSV, JSON lines).

    Only the first 64 KiB are inspected so that large tables stream; a later decoding
    error surfaces while reading (the reader turns it into a
    :class:`~topickit.exceptions.CorpusError` that suggests ``encoding=``).

    Parameters
    ----------
    path : Path
        The table file.
    source : str
        Its name for messages.
    encoding : str or None, default None
        Codec to use as given; ``None`` detects it like :func:`decode_bytes`.

    Returns
    -------
    str
        A codec name for :func:`open` (``"utf-8-sig"`` for UTF-8 so a byte-order mark is dropped).
    """
    if encoding is not None:
        return _codec_for_explicit(encoding, source)
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    bom = _bom_encoding(head)
    if bom is not None:
        return bom
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=len(head) < _SNIFF_BYTES)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8-sig"
    for name in FALLBACK_ENCODINGS:
        try:
            head.decode(name)
        except UnicodeDecodeError:
            continue
        _warn_fallback(source, name)
        return name
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover
