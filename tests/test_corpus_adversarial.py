"""Adversarial corpus input: nothing is dropped or mangled silently.

Each bad file or row either raises one :class:`CorpusError` naming the file, line, row or
column, or is skipped with a :class:`CorpusWarning` and listed in the skipped record.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import json
import os
import shutil
import socket
import tempfile
import threading
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import topickit.corpus.folders as folders
from topickit.corpus import iter_articles, load_corpus, skipped_sources
from topickit.corpus.folders import TEXT_SUFFIXES, printable_path
from topickit.exceptions import CorpusError, CorpusWarning

needs_posix = pytest.mark.skipif(os.name != "posix", reason="needs POSIX file types")


def _skipped(df: pd.DataFrame) -> dict[str, str]:
    table = skipped_sources(df)
    return dict(zip(table["source"], table["reason"], strict=True))


def _load_quietly(path: Path, **options: object) -> tuple[pd.DataFrame, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = load_corpus(path, clean=False, **options)
    assert all(issubclass(w.category, CorpusWarning) for w in caught), [
        str(w.message) for w in caught
    ]
    return df, [str(w.message) for w in caught]


def _finishes(target, seconds: float = 10.0):  # type: ignore[no-untyped-def]
    """Run ``target`` in a daemon thread; fail (rather than hang) if it does not finish."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = target()
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "loading did not finish: something blocked on a file"
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]


# ----------------------------------------------------------------------------- folders


@needs_posix
def test_fifo_without_writer_is_skipped_not_waited_on(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text("A real story.", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")
    df, messages = _finishes(lambda: _load_quietly(tmp_path))
    assert df["source"].tolist() == ["story.txt"]
    assert _skipped(df) == {"pipe.txt": "not a regular file: named pipe (FIFO)"}
    assert "pipe.txt: skipped (not a regular file: named pipe (FIFO))" in messages


@needs_posix
def test_fifo_given_as_the_corpus_path_is_an_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    os.mkfifo(tmp_path / "pipe.csv")
    for name in ("pipe.txt", "pipe.csv"):
        with pytest.raises(CorpusError, match=rf"{name}: not a regular file"):
            _finishes(lambda name=name: load_corpus(tmp_path / name))


@needs_posix
def test_fifo_swapped_in_after_listing_is_not_read(tmp_path: Path) -> None:
    """A file replaced by a FIFO between listing and reading is caught by fstat."""
    os.mkfifo(tmp_path / "late.txt")
    seen: list[tuple[str, str]] = []
    with pytest.warns(CorpusWarning, match="late.txt: skipped"):
        text = _finishes(
            lambda: folders.read_text_file(
                tmp_path / "late.txt",
                source="late.txt",
                encoding=None,
                on_skip=lambda s, r: seen.append((s, r)),
                in_folder=True,
            )
        )
    assert text is None
    assert seen == [("late.txt", "not a regular file: named pipe (FIFO)")]


@needs_posix
def test_devices_sockets_and_links_are_skipped_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Good text.", encoding="utf-8")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")  # would never end if read
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "loop1.txt").symlink_to(tmp_path / "loop2.txt")
    (tmp_path / "loop2.txt").symlink_to(tmp_path / "loop1.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path)  # a folder loop
    (tmp_path / "alias.txt").symlink_to(tmp_path / "good.txt")
    sock = socket.socket(socket.AF_UNIX)
    short = Path(tempfile.mkdtemp(dir="/tmp"))  # AF_UNIX paths must be short
    try:
        sock.bind(str(short / "s.txt"))
        (tmp_path / "sock.txt").symlink_to(short / "s.txt")
        df, messages = _finishes(lambda: _load_quietly(tmp_path))
    finally:
        sock.close()
        shutil.rmtree(short)
    assert df["source"].tolist() == ["alias.txt", "good.txt"]
    assert df["text"].tolist() == ["Good text.", "Good text."]
    skipped = _skipped(df)
    assert skipped["zero.txt"] == "not a regular file: character device"
    assert skipped["sock.txt"] == "not a regular file: socket"
    assert skipped["dangling.txt"].startswith("broken symbolic link")
    assert skipped["loop1.txt"].startswith("broken symbolic link")
    assert skipped["loop2.txt"].startswith("broken symbolic link")
    assert skipped["sub/up"] == "symbolic link to a folder; not followed"
    assert len(skipped) == 6
    for source in skipped:
        assert any(m.startswith(f"{source}: skipped") for m in messages)


def test_unlistable_sub_folder_is_skipped_and_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.txt").write_text("Kept.", encoding="utf-8")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "b.txt").write_text("Unreachable.", encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if Path(path).name == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    df, messages = _load_quietly(tmp_path)
    assert df["source"].tolist() == ["a.txt"]
    assert _skipped(df) == {"locked/": "folder cannot be listed (Permission denied)"}
    assert "locked/: skipped (folder cannot be listed (Permission denied))" in messages


def test_unlistable_root_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def scandir(path):  # type: ignore[no-untyped-def]
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(CorpusError, match=r"folder cannot be listed \(Permission denied\)"):
        load_corpus(tmp_path)


def test_only_skipped_files_is_an_error_that_counts_them(tmp_path: Path) -> None:
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    with (
        pytest.warns(CorpusWarning, match="dangling.txt"),
        pytest.raises(CorpusError, match=r"no \.txt or \.md files found \(1 skipped\)"),
    ):
        load_corpus(tmp_path)


@needs_posix
def test_path_too_long_is_skipped(tmp_path: Path) -> None:
    """A real folder chain deeper than PATH_MAX: the part out of reach is skipped."""
    (tmp_path / "top.txt").write_text("Reachable.", encoding="utf-8")
    name = "d" * 200
    fd = os.open(tmp_path, os.O_RDONLY)
    depth = 0
    try:
        while depth * (len(name) + 1) < 4200:
            os.mkdir(name, dir_fd=fd)
            child = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
            depth += 1
        out = os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, b"Too deep to open by path.")
        os.close(out)
    finally:
        os.close(fd)
    df, messages = _load_quietly(tmp_path)
    assert df["source"].tolist() == ["top.txt"]
    ((source, reason),) = _skipped(df).items()
    assert source.startswith(name) and source.endswith("/")
    assert reason == "folder cannot be listed (File name too long)"
    assert any("File name too long" in m for m in messages)


def test_file_that_cannot_be_opened_is_skipped_in_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.txt").write_text("Kept.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Cannot be opened.", encoding="utf-8")
    real_open = os.open

    def fake_open(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(path).name == "b.txt":
            raise OSError(errno.ENAMETOOLONG, "File name too long", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(folders.os, "open", fake_open)
    df, messages = _load_quietly(tmp_path)
    assert "b.txt: skipped (cannot be read (path too long))" in messages
    assert df["source"].tolist() == ["a.txt"]
    assert _skipped(df) == {"b.txt": "cannot be read (path too long)"}
    with pytest.raises(CorpusError, match=r"b\.txt: cannot be read \(path too long\)"):
        load_corpus(tmp_path / "b.txt")


@needs_posix
def test_non_utf8_file_names_load_with_escapes(tmp_path: Path, seeds_dir: Path) -> None:
    seed = sorted(seeds_dir.glob("*.txt"))[0]
    raw = seed.read_bytes()
    root = os.fsencode(tmp_path)
    with open(os.path.join(root, b"caf\xe9.txt"), "wb") as fh:
        fh.write(raw)
    with open(os.path.join(root, b"plain.txt"), "wb") as fh:
        fh.write(b"Plain text.")
    df, messages = _load_quietly(tmp_path)
    assert df["source"].tolist() == ["caf\\xe9.txt", "plain.txt"]
    assert df["doc_id"].tolist() == ["caf\\xe9", "plain"]
    assert df["text"].iloc[0] == raw.decode("utf-8").strip()
    assert any("caf\\xe9.txt: file name is not valid UTF-8" in m for m in messages)
    df.to_csv(tmp_path / "out.csv")  # every string is valid UTF-8 now
    assert printable_path(os.fsdecode(b"ok\xff\xfe.md")) == "ok\\xff\\xfe.md"
    assert printable_path("unchanged.txt") == "unchanged.txt"


@needs_posix
def test_seed_folder_with_hostile_neighbours_loads_the_seeds(
    tmp_path: Path, seeds_dir: Path
) -> None:
    expected = load_corpus(seeds_dir)
    for seed in seeds_dir.glob("*.txt"):
        shutil.copy(seed, tmp_path / seed.name)
    os.mkfifo(tmp_path / "zz_pipe.txt")
    (tmp_path / "zz_link.txt").symlink_to(tmp_path / "gone.txt")
    with pytest.warns(CorpusWarning) as record:
        cleaned = _finishes(lambda: load_corpus(tmp_path))
    messages = " | ".join(str(w.message) for w in record)
    assert "zz_pipe.txt: skipped" in messages and "zz_link.txt: skipped" in messages
    assert cleaned["text"].tolist() == expected["text"].tolist()
    assert cleaned["doc_id"].tolist() == expected["doc_id"].tolist()
    assert set(_skipped(cleaned)) == {"zz_pipe.txt", "zz_link.txt"}


# ----------------------------------------------------------------------------- table cells


def _jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("value", "what"),
    [
        (42, "a number"),
        (4.5, "a number"),
        (True, "a boolean"),
        ({"nested": "object"}, "a nested object"),
        (["a", "list"], "a list"),
    ],
)
def test_jsonl_text_cell_that_is_not_text_is_refused(tmp_path: Path, value, what) -> None:
    path = _jsonl(tmp_path / "t.jsonl", [{"text": "fine"}, {"text": value}])
    with pytest.raises(CorpusError, match=rf"t\.jsonl: row 2, column 'text' holds {what}"):
        load_corpus(path, clean=False)


def test_jsonl_titles_and_ids_that_are_numbers_become_their_string_form(tmp_path: Path) -> None:
    big = 2**62 + 1  # exact only if never turned into a float
    path = _jsonl(
        tmp_path / "t.jsonl",
        [
            {"id": big, "text": "one", "title": 2024},
            {"id": None, "text": "two", "title": 2.5},
            {"id": 7, "text": "three", "title": None},
        ],
    )
    df = load_corpus(path, clean=False)
    assert df["doc_id"].tolist() == [str(big), "1", "7"]
    assert df["title"].tolist() == ["2024", "2.5", None]


@pytest.mark.parametrize(
    ("value", "what"), [([1, 2], "a list"), ({"a": 1}, "a nested object"), (False, "a boolean")]
)
def test_jsonl_title_that_is_not_a_scalar_is_refused(tmp_path: Path, value, what) -> None:
    path = _jsonl(tmp_path / "t.jsonl", [{"text": "fine", "title": value}])
    with pytest.raises(CorpusError, match=rf"row 1, column 'title' holds {what}"):
        load_corpus(path, clean=False)


def test_jsonl_extra_nested_values_are_kept_as_they_are(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "t.jsonl", [{"text": "fine", "meta": {"k": [1, 2]}}])
    (article,) = iter_articles(path, clean=False)
    assert article.extra == {"meta": {"k": [1, 2]}}
    assert article.text == "fine"


def test_jsonl_unpaired_surrogate_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"text": "ok"}\n{"text": "bad \\ud800 text"}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"row 2, column 'text' holds an unpaired surrogate"):
        load_corpus(path, clean=False)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "ok"}\n\n{"text" "x"}\n', r"invalid JSON on line 3"),
        ('{"text": "ok"}\n[1, 2]\n', r"line 2 holds a JSON list, not an object"),
        ('{"text": "a", "text": "b"}\n', r"line 1: key 'text' appears twice"),
        ('[{"text": "ok"},\n 3]', r"array element 2 is int, not an object"),
        ('[{"text": "ok"},\n {"text": }]', r"invalid JSON on line 2"),
    ],
)
def test_json_errors_name_the_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=rf"bad\.jsonl: .*{message}"):
        load_corpus(path, clean=False)


def test_jsonl_timestamp_column_of_numbers_is_not_read_as_epoch(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "t.jsonl", [{"text": "a", "timestamp": 1699401600}])
    with pytest.warns(CorpusWarning, match=r"'timestamp' could not be parsed .*rows 1\)"):
        (article,) = iter_articles(path, clean=False)
    assert article.date is None


@pytest.mark.parametrize(
    ("arrow_type", "values", "what"),
    [
        (pa.binary(), [b"raw bytes"], "bytes"),
        (pa.struct([("a", pa.string())]), [{"a": "x"}], "a nested object"),
        (pa.list_(pa.string()), [["a", "b"]], "a list"),
        (pa.int64(), [12], "a number"),
    ],
)
def test_parquet_text_column_of_other_types_is_refused(
    tmp_path: Path, arrow_type, values, what
) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"text": pa.array(values, arrow_type)}), path)
    with pytest.raises(CorpusError, match=rf"t\.parquet: row 1, column 'text' holds {what}"):
        load_corpus(path, clean=False)


def test_parquet_binary_title_is_refused_and_int_ids_stay_exact(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"text": ["x"], "title": pa.array([b"t"], pa.binary())}), path)
    with pytest.raises(CorpusError, match=r"row 1, column 'title' holds bytes"):
        load_corpus(path, clean=False)
    big = 2**62 + 1
    ids = pa.array([big, None], pa.int64())
    pq.write_table(pa.table({"id": ids, "text": ["x", "y"]}), path)
    assert load_corpus(path, clean=False)["doc_id"].tolist() == [str(big), "1"]


# ----------------------------------------------------------------------------- CSV / TSV


def test_unclosed_quote_to_end_of_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('id,text\n1,fine\n2,"never closed\n3,swallowed\n4,too\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"t\.csv: the quoted cell starting on line 3"):
        load_corpus(path, clean=False)


def test_unclosed_quote_closed_by_a_stray_quote_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('id,text\n1,"open\n2,next\n3,"quoted"\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"broken quoting in the row starting on line 2"):
        load_corpus(path, clean=False)


def test_rows_merged_into_one_quoted_cell_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('id,text\n1,"open\n2,next row\n3,end"\n4,four\n', encoding="utf-8")
    with pytest.warns(CorpusWarning, match=r"t\.csv: the row on lines 2-4 .*unclosed quote"):
        df = load_corpus(path, clean=False)
    assert df["doc_id"].tolist() == ["1", "4"]


def test_multi_line_prose_cells_are_not_reported(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    frame = pd.DataFrame(
        {"id": ["a1", "a2"], "text": ["First, a line.\nThen, another one.", "Second."]}
    )
    frame.to_csv(path, index=False)
    df, messages = _load_quietly(path)
    assert messages == []
    assert df["text"].tolist() == frame["text"].tolist()


def test_row_with_an_extra_field_is_refused_not_turned_into_an_index(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("text,title\nbody,head\nmore, body,head\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"t\.csv: line 3 has 3 fields but the header has 2"):
        load_corpus(path, clean=False)


def test_long_csv_cell_passes_the_strict_check(tmp_path: Path) -> None:
    long_text = "word " * 40_000  # over the csv module's 128 KiB default field limit
    path = tmp_path / "t.csv"
    pd.DataFrame({"text": [long_text]}).to_csv(path, index=False)
    limit = csv.field_size_limit()
    (article,) = iter_articles(path, clean=False)
    assert article.text == long_text.strip()
    assert csv.field_size_limit() == limit  # the limit is restored


def test_tsv_quotes_are_kept_as_written(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text('id\ttext\n1\t"Quoted" words\n2\t"open quote\n3\tthird "x"\n', encoding="utf-8")
    df, messages = _load_quietly(path)
    assert messages == []
    assert df["doc_id"].tolist() == ["1", "2", "3"]
    assert df["text"].tolist() == ['"Quoted" words', '"open quote', 'third "x"']


def test_csv_cells_reading_na_or_null_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("text,title\nNA,None\nnull,\n", encoding="utf-8")
    df = load_corpus(path, clean=False)
    assert df["text"].tolist() == ["NA", "null"]
    assert df["title"].tolist() == ["None", None]


# ----------------------------------------------------------------------------- dates


def test_out_of_range_dates_become_unknown_with_a_warning(tmp_path: Path) -> None:
    values = ["-1", 0, 99999, "10000-01-01", "2023-11-08", "-5000"]
    path = _jsonl(
        tmp_path / "d.jsonl", [{"text": f"t{i}", "date": v} for i, v in enumerate(values)]
    )
    with pytest.warns(CorpusWarning) as record:
        df = load_corpus(path, clean=False)
    assert df["date"].isna().tolist() == [True, True, True, True, False, True]
    assert df["date"].iloc[4] == pd.Timestamp("2023-11-08")
    (message,) = [str(w.message) for w in record if "date column" in str(w.message)]
    assert "d.jsonl: 5 value(s) of date column 'date'" in message
    assert "rows 1, 2, 3, 4, 6" in message


def test_out_of_range_dates_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("text,date\na,-1\nb,0\nc,99999\nd,10000-01-01\n", encoding="utf-8")
    with pytest.warns(CorpusWarning, match=r"d\.csv: 4 value\(s\).*rows 1, 2, 3, 4"):
        df = load_corpus(path, clean=False)
    assert df["date"].isna().all()


def test_out_of_range_parquet_dates_become_unknown(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    days = pa.array([2**31 - 1, -800_000, 19_669], pa.int32()).cast(pa.date32())
    pq.write_table(pa.table({"text": ["a", "b", "c"], "date": days}), path)
    with pytest.warns(CorpusWarning, match=r"d\.parquet: 2 value\(s\).*rows 1, 2\)"):
        df = load_corpus(path, clean=False)
    assert df["date"].isna().tolist() == [True, True, False]
    assert df["date"].iloc[2] == pd.Timestamp(dt.date(1970, 1, 1) + dt.timedelta(days=19_669))
    seconds = pa.array([99_999 * 365 * 86_400, 1_699_401_600], pa.int64()).cast(pa.timestamp("s"))
    pq.write_table(pa.table({"text": ["a", "b"], "date": seconds}), path)
    with pytest.warns(CorpusWarning, match=r"rows 1\)"):
        df = load_corpus(path, clean=False)
    assert df["date"].isna().tolist() == [True, False]


def test_text_file_date_header_out_of_range_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "date 10000-01-01 Headline Of The Story\n\nBody of the story.", encoding="utf-8"
    )
    (tmp_path / "b.txt").write_text(
        "date 0000-01-01 Another Headline Here\n\nBody of the story.", encoding="utf-8"
    )
    (tmp_path / "c.txt").write_text(
        "date 2023-11-08 A Dated Headline Here\n\nBody of the story.", encoding="utf-8"
    )
    with pytest.warns(CorpusWarning) as record:
        df = load_corpus(tmp_path)
    assert df["date"].isna().tolist() == [True, True, False]
    assert df["date"].iloc[2] == pd.Timestamp("2023-11-08")
    assert df["text"].str.contains("date ").sum() == 0  # the headers were split off
    messages = sorted(str(w.message) for w in record)
    assert messages == [
        "a.txt: date header 'date 10000-01-01' (line 1) is not a date from 1900 to 2100; "
        "the date is left unknown",
        "b.txt: date header 'date 0000-01-01' (line 1) is not a date from 1900 to 2100; "
        "the date is left unknown",
    ]


# ----------------------------------------------------------------------------- fuzzing

_NAME_BYTES = st.binary(min_size=1, max_size=12).map(
    lambda b: bytes(c for c in b if c not in b"/\x00") or b"x"
)
_SUFFIXES = st.sampled_from([b".txt", b".md", b".TXT", b".csv", b""])


def _candidate(name: bytes) -> bool:
    text = os.fsdecode(name)
    return not text.startswith(".") and Path(text).suffix.lower() in TEXT_SUFFIXES


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.dictionaries(
        st.tuples(_NAME_BYTES, _SUFFIXES).map(lambda t: t[0] + t[1]),
        st.binary(max_size=200),
        min_size=1,
        max_size=6,
    ),
    in_sub=st.booleans(),
)
def test_fuzz_random_folders(files: dict[bytes, bytes], in_sub: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = os.fsencode(tmp)
        folder = os.path.join(root, b"sub") if in_sub else root
        os.makedirs(folder, exist_ok=True)
        for name, data in files.items():
            if name in (b".", b".."):
                continue
            with open(os.path.join(folder, name), "wb") as fh:
                fh.write(data)
        expected = {
            printable_path(os.fsdecode((b"sub/" if in_sub else b"") + name))
            for name in files
            if _candidate(name) and name not in (b".", b"..")
        }
        loaded: list[str] = []
        skipped: list[str] = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                for article in iter_articles(
                    tmp, on_skip=lambda source, reason: skipped.append(source)
                ):
                    loaded.append(article.source)
            except CorpusError as exc:
                message = str(exc)
                if "duplicate doc_id" in message:
                    return  # two names that escape or shorten to the same id: refused
                assert "no .txt or .md files found" in message or "no usable text" in message
        assert all(issubclass(w.category, CorpusWarning) for w in caught)
        assert set(loaded) | set(skipped) == expected
        assert not set(loaded) & set(skipped)


_CELLS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.fixed_dictionaries({"text": _CELLS, "title": _CELLS, "date": _CELLS, "x": _CELLS}),
        min_size=1,
        max_size=5,
    )
)
def test_fuzz_random_json_tables(rows: list[dict[str, object]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        sources: list[str] = []
        skipped: list[str] = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                for article in iter_articles(
                    path, clean=False, on_skip=lambda s, r: skipped.append(s)
                ):
                    assert isinstance(article.text, str) and article.text.strip()
                    assert article.title is None or isinstance(article.title, str)
                    sources.append(article.source)
            except CorpusError:
                return
        assert all(issubclass(w.category, CorpusWarning) for w in caught)
        assert sorted(sources + skipped) == sorted(f"t.jsonl:{i + 1}" for i in range(len(rows)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.text(alphabet=st.sampled_from(list('ab1 ,"\n\t\r\\')), max_size=80),
    suffix=st.sampled_from([".csv", ".tsv"]),
)
def test_fuzz_random_delimited_tables(body: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"t{suffix}"
        sep = "," if suffix == ".csv" else "\t"
        path.write_text(f"id{sep}text{sep}date\n" + body, encoding="utf-8")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                for article in iter_articles(path, clean=False):
                    assert isinstance(article.text, str) and article.text.strip()
            except CorpusError:
                return
        assert all(issubclass(w.category, CorpusWarning) for w in caught)


# ----------------------------------------------------------------------------- command line


@needs_posix
def test_cli_summary_lists_skipped_entries(
    tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from topickit.cli import main

    for seed in seeds_dir.glob("*.txt"):
        shutil.copy(seed, tmp_path / seed.name)
    os.mkfifo(tmp_path / "pipe.txt")
    assert _finishes(lambda: main(["corpus", str(tmp_path), "--show", "0"])) == 0
    out = capsys.readouterr().out
    assert "skipped: 1" in out
    assert "  pipe.txt: not a regular file: named pipe (FIFO)" in out


def test_cli_refused_cell_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from topickit.cli import main

    path = _jsonl(tmp_path / "t.jsonl", [{"text": "fine words here"}, {"text": 3}])
    assert main(["corpus", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "t.jsonl: row 2, column 'text' holds a number (3)" in err
