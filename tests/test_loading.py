"""Tests for corpus loading: text folders, tables, encodings, errors and streaming."""

from __future__ import annotations

import datetime as dt
import itertools
import types
import warnings
from pathlib import Path

import pandas as pd
import pytest

import topickit.cleaning
from topickit.cleaning.types import CleanedText, Removal
from topickit.corpus import (
    ARTICLE_COLUMNS,
    Article,
    cleaning_audit,
    iter_articles,
    load_corpus,
    skipped_sources,
)
from topickit.corpus.encoding import decode_bytes
from topickit.corpus.loading import text_doc_ids
from topickit.corpus.readers import TableReader
from topickit.exceptions import CorpusError, CorpusWarning

# ----------------------------------------------------------------------------- helpers


def _write_table(frame: pd.DataFrame, path: Path) -> Path:
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif suffix in (".jsonl", ".ndjson"):
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:  # pragma: no cover - test helper misuse
        raise AssertionError(suffix)
    return path


@pytest.fixture
def fake_cleaner(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Replace clean_article with a predictable stand-in; record its calls."""
    calls: list[tuple[str, bool]] = []

    def clean_article(raw: str, *, extract_metadata: bool = True) -> CleanedText:
        calls.append((raw, extract_metadata))
        body = raw.replace("[AD]", "").strip()
        return CleanedText(
            text=body.upper(),
            title="Cleaner title" if extract_metadata else None,
            date=dt.date(2020, 1, 1) if extract_metadata else None,
            removals=[Removal("advertisement_marker", "[AD]", 1)] if "[AD]" in raw else [],
        )

    monkeypatch.setattr(topickit.cleaning, "clean_article", clean_article, raising=False)
    return calls


# ----------------------------------------------------------------------------- seeds


SEED_DATES = {
    "000": dt.date(2023, 11, 8),
    "001": None,
    "002": dt.date(2024, 10, 4),
    "003": dt.date(2023, 11, 11),
    "004": dt.date(2023, 11, 5),
}


def test_seeds_load_with_cleaner(seeds_dir: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", CorpusWarning)
        df = load_corpus(seeds_dir)
    assert list(df.columns) == list(ARTICLE_COLUMNS)
    assert df["doc_id"].tolist() == ["000", "001", "002", "003", "004"]
    assert df["source"].tolist() == sorted(p.name for p in seeds_dir.glob("*.txt"))
    assert df["date"].dtype.kind == "M"
    for doc_id, expected in SEED_DATES.items():
        value = df.loc[df["doc_id"] == doc_id, "date"].iloc[0]
        if expected is None:
            assert pd.isna(value)
        else:
            assert value.date() == expected
    titled = df.loc[df["title"].notna(), "doc_id"].tolist()
    assert titled == ["002", "004"]
    assert "Khamenei" in df.loc[df["doc_id"] == "002", "title"].iloc[0]
    assert "Haniyeh" in df.loc[df["doc_id"] == "004", "title"].iloc[0]
    assert all(text.strip() == text and "\n\n\n" not in text for text in df["text"])
    audit = cleaning_audit(df)
    assert list(audit.columns) == ["doc_id", "rule", "line", "text"]
    assert set(audit["doc_id"]) <= set(df["doc_id"])
    assert skipped_sources(df).empty
    assert cleaning_audit(df).equals(audit.reset_index(drop=True))


def test_seeds_iter_articles_matches_table(seeds_dir: Path) -> None:
    articles = list(iter_articles(seeds_dir))
    assert all(isinstance(a, Article) for a in articles)
    df = load_corpus(seeds_dir)
    assert [a.doc_id for a in articles] == df["doc_id"].tolist()
    assert [a.text for a in articles] == df["text"].tolist()
    assert {a.doc_id: a.date for a in articles} == SEED_DATES


def test_seeds_without_cleaning_keep_raw_text(seeds_dir: Path, seed_texts: dict[str, str]) -> None:
    df = load_corpus(seeds_dir, clean=False)
    assert df["doc_id"].tolist() == sorted(seed_texts)
    for doc_id, raw in seed_texts.items():
        assert df.loc[df["doc_id"] == doc_id, "text"].iloc[0] == raw.strip()
    assert df["date"].isna().all()
    assert cleaning_audit(df).empty


def test_single_seed_file_uses_its_name(seeds_dir: Path) -> None:
    path = sorted(seeds_dir.glob("*.txt"))[2]
    (article,) = iter_articles(path, clean=False)
    assert article.source == path.name
    assert article.doc_id == path.stem


# ----------------------------------------------------------------------------- doc ids


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["000_ab.txt", "001_cd.txt"], ["000", "001"]),
        (["a_x.txt", "a_y.txt"], ["a_x", "a_y"]),  # tokens not distinct
        (["000_ab.txt", "notes.md"], ["000_ab", "notes"]),  # one name has no token
        (["000_ab.txt"], ["000_ab"]),  # a single file keeps its stem
        (["sub/1_a.txt", "2_b.md"], ["sub/1", "2"]),
        (["sub/story.txt", "other.v2.md"], ["sub/story", "other.v2"]),
        (["x_.txt", "y_.txt"], ["x_", "y_"]),  # nothing after the token
    ],
)
def test_text_doc_ids(paths: list[str], expected: list[str]) -> None:
    assert text_doc_ids(paths) == expected


def test_folder_recursive_sorted_hidden_ignored(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "story.md").write_text("Markdown story.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("First text.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("secret", encoding="utf-8")
    (tmp_path / ".git" / "x.txt").write_text("git", encoding="utf-8")
    (tmp_path / "table.csv").write_text("text\nnot read\n", encoding="utf-8")
    df = load_corpus(tmp_path, clean=False)
    assert df["source"].tolist() == ["a.txt", "b/story.md"]
    assert df["doc_id"].tolist() == ["a", "b/story"]
    assert df["text"].tolist() == ["First text.", "Markdown story."]


def test_duplicate_text_ids_raise(tmp_path: Path) -> None:
    (tmp_path / "same.txt").write_text("one", encoding="utf-8")
    (tmp_path / "same.md").write_text("two", encoding="utf-8")
    with pytest.raises(CorpusError, match="duplicate doc_id 'same'"):
        load_corpus(tmp_path, clean=False)


# ----------------------------------------------------------------------------- tables


NEWS = pd.DataFrame(
    {
        "ID": ["007", "008", "009", "010"],
        "Headline": ["First", "Second", None, "Fourth"],
        "Body": ["Gaza talks resume.", "Iran responds.", "   ", "Markets fall."],
        "Published": ["2023-11-08", "not a date", "2024-01-01", "Nov 5, 2023"],
        "lang": ["en", "fr", "de", "en"],
    }
)


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".ndjson", ".parquet"])
def test_table_guessed_columns(tmp_path: Path, suffix: str) -> None:
    path = _write_table(NEWS, tmp_path / f"news{suffix}")
    with pytest.warns(CorpusWarning) as record:
        df = load_corpus(path, clean=False)
    messages = [str(w.message) for w in record]
    assert any("skipped 1 row(s) with empty text" in m and path.name in m for m in messages)
    assert any("1 value(s) of date column 'Published'" in m for m in messages)
    assert sum("empty text" in m for m in messages) == 1
    assert list(df.columns) == [*ARTICLE_COLUMNS, "lang"]
    assert df["doc_id"].tolist() == ["007", "008", "010"]
    assert df["title"].tolist() == ["First", "Second", "Fourth"]
    assert df["text"].tolist() == ["Gaza talks resume.", "Iran responds.", "Markets fall."]
    assert df["source"].tolist() == [f"{path.name}:1", f"{path.name}:2", f"{path.name}:4"]
    assert df["lang"].tolist() == ["en", "fr", "en"]
    assert df["date"].dtype.kind == "M"
    assert df["date"].iloc[0] == pd.Timestamp("2023-11-08")
    assert pd.isna(df["date"].iloc[1])
    assert df["date"].iloc[2] == pd.Timestamp("2023-11-05")
    skipped = skipped_sources(df)
    assert skipped.to_dict("records") == [{"source": f"{path.name}:3", "reason": "empty text"}]


def test_table_explicit_columns_and_row_ids(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "text": ["decoy a", "decoy b"],
            "story": ["Real story one.", "Real story two."],
            "when": ["2022-02-03", "2022-02-04"],
            "name": ["Head one", "Head two"],
        }
    )
    path = _write_table(frame, tmp_path / "t.csv")
    df = load_corpus(
        path, text_column="STORY", title_column="name", date_column="when", clean=False
    )
    assert df["text"].tolist() == ["Real story one.", "Real story two."]
    assert df["doc_id"].tolist() == ["0", "1"]
    assert df["title"].tolist() == ["Head one", "Head two"]
    assert df["date"].dt.date.tolist() == [dt.date(2022, 2, 3), dt.date(2022, 2, 4)]
    # The unused "text" column is an extra; it is kept on the article, not in the table.
    articles = list(iter_articles(path, text_column="story", clean=False))
    assert articles[0].extra == {"text": "decoy a", "when": "2022-02-03", "name": "Head one"}


def test_table_own_source_column_and_numeric_ids(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"article_id": [11, 12], "content": ["A.", "B."], "Source": ["wire", None]}
    )
    path = _write_table(frame, tmp_path / "t.parquet")
    df = load_corpus(path, clean=False)
    assert df["doc_id"].tolist() == ["11", "12"]
    assert df["source"].tolist() == ["wire", "t.parquet:2"]
    assert "Source" not in df.columns


def test_parquet_timestamp_dates(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "text": ["a", "b"],
            "published_at": pd.to_datetime(["2024-10-04 23:43", None]),
        }
    )
    path = _write_table(frame, tmp_path / "t.parquet")
    articles = list(iter_articles(path, clean=False))
    assert [a.date for a in articles] == [dt.date(2024, 10, 4), None]


def test_json_array_file(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text('[{"body": "One."}, {"body": "Two.", "uid": "u2"}]', encoding="utf-8")
    df = load_corpus(path, clean=False)
    assert df["text"].tolist() == ["One.", "Two."]
    assert df["doc_id"].tolist() == ["0", "u2"]


def test_table_duplicate_ids_raise(tmp_path: Path) -> None:
    path = _write_table(pd.DataFrame({"id": ["x", "x"], "text": ["a", "b"]}), tmp_path / "d.csv")
    with pytest.raises(CorpusError, match="duplicate doc_id 'x'"):
        load_corpus(path, clean=False)


def test_table_cleaning_metadata_precedence(
    tmp_path: Path, fake_cleaner: list[tuple[str, bool]]
) -> None:
    frame = pd.DataFrame(
        {"title": ["Table title", None, "T3"], "text": ["One [AD]", "Two", "[AD]"]}
    )
    path = _write_table(frame, tmp_path / "t.csv")
    with pytest.warns(CorpusWarning, match=r"t\.csv: skipped 1 row\(s\) with no text left"):
        df = load_corpus(path)
    # No date column, so the cleaner looks for metadata; the table's title wins.
    assert [extract for _, extract in fake_cleaner] == [True, True, True]
    assert df["text"].tolist() == ["ONE", "TWO"]
    assert df["title"].tolist() == ["Table title", "Cleaner title"]
    assert df["date"].dt.date.tolist() == [dt.date(2020, 1, 1)] * 2
    assert cleaning_audit(df).to_dict("records") == [
        {"doc_id": "0", "rule": "advertisement_marker", "line": 1, "text": "[AD]"}
    ]
    assert skipped_sources(df)["reason"].tolist() == ["no text left after cleaning"]
    assert cleaning_audit(df[df["doc_id"] == "1"]).empty


def test_table_with_title_and_date_skips_metadata_extraction(
    tmp_path: Path, fake_cleaner: list[tuple[str, bool]]
) -> None:
    frame = pd.DataFrame({"headline": ["H"], "date": ["2021-05-06"], "text": ["body"]})
    df = load_corpus(_write_table(frame, tmp_path / "t.jsonl"))
    assert fake_cleaner == [("body", False)]
    assert df["title"].tolist() == ["H"]
    assert df["date"].dt.date.tolist() == [dt.date(2021, 5, 6)]


def test_text_files_take_title_and_date_from_cleaner(
    tmp_path: Path, fake_cleaner: list[tuple[str, bool]]
) -> None:
    (tmp_path / "a.txt").write_text("Body [AD]", encoding="utf-8")
    (tmp_path / "b.txt").write_text("[AD]", encoding="utf-8")
    with pytest.warns(CorpusWarning, match=r"b\.txt: skipped \(no text left after cleaning\)"):
        df = load_corpus(tmp_path)
    assert df["doc_id"].tolist() == ["a"]
    assert df["title"].tolist() == ["Cleaner title"]
    assert df["text"].tolist() == ["BODY"]
    assert cleaning_audit(df)["rule"].tolist() == ["advertisement_marker"]


# ----------------------------------------------------------------------------- encodings


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbfHello Gaza\r\nSecond line")
    with warnings.catch_warnings():
        warnings.simplefilter("error", CorpusWarning)
        (article,) = iter_articles(tmp_path / "bom.txt", clean=False)
    assert article.text == "Hello Gaza\nSecond line"


def test_cp1252_fallback_warns_with_file_and_encoding(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(b"Iran\x92s leader spoke \x93today\x94.")
    with pytest.warns(CorpusWarning, match=r"legacy\.txt.*cp1252"):
        (article,) = iter_articles(path, clean=False)
    assert article.text == "Iran’s leader spoke “today”."


def test_cp1252_with_cleaner(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    sentence = b"Iran\x92s leader spoke on Tuesday about the war and warned the region of more."
    path.write_bytes(sentence + b" " + sentence)
    with pytest.warns(CorpusWarning, match=r"legacy\.txt.*cp1252"):
        df = load_corpus(path)
    assert df["text"].iloc[0].replace("’", "'").startswith("Iran's leader spoke on Tuesday")


def test_latin1_fallback(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes(b"Caf\xe9 na\xefve \x81 text")  # 0x81 is undefined in cp1252
    with pytest.warns(CorpusWarning, match=r"old\.txt.*latin-1"):
        (article,) = iter_articles(path, clean=False)
    assert article.text.startswith("Café naïve")


def test_explicit_encoding(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("Café €5".encode("cp1252"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", CorpusWarning)
        (article,) = iter_articles(path, encoding="cp1252", clean=False)
    assert article.text == "Café €5"
    with pytest.raises(CorpusError, match=r"old\.txt.*utf-8"):
        list(iter_articles(path, encoding="utf-8", clean=False))
    with pytest.raises(CorpusError, match="unknown encoding"):
        list(iter_articles(path, encoding="no-such-codec", clean=False))


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom(tmp_path: Path, codec: str) -> None:
    text = "Khamenei’s remarks"
    data = text.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "wide.txt"
    path.write_bytes(data)
    (article,) = iter_articles(path, clean=False)
    assert article.text == text


def test_binary_and_empty_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Usable text.", encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "noise.txt").write_bytes(bytes(range(1, 9)) * 40)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text(" \n\t\n", encoding="utf-8")
    with pytest.warns(CorpusWarning) as record:
        df = load_corpus(tmp_path, clean=False)
    messages = " | ".join(str(w.message) for w in record)
    assert "image.txt: skipped (binary file (NUL bytes))" in messages
    assert "noise.txt: skipped (binary file" in messages
    assert "empty.txt: skipped (empty file)" in messages
    assert "blank.md: skipped (empty file)" in messages
    assert df["doc_id"].tolist() == ["good"]
    skipped = dict(zip(skipped_sources(df)["source"], skipped_sources(df)["reason"], strict=True))
    assert set(skipped) == {"image.txt", "noise.txt", "empty.txt", "blank.md"}
    assert skipped["empty.txt"] == "empty file"


def test_on_skip_callback(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    seen: list[tuple[str, str]] = []
    with pytest.warns(CorpusWarning):
        stream = iter_articles(tmp_path, clean=False, on_skip=lambda s, r: seen.append((s, r)))
        ids = [a.doc_id for a in stream]
    assert ids == ["a"]
    assert seen == [("b.txt", "empty file")]


def test_cp1252_csv(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes(b"id,text\n1,Iran\x92s reply\n")
    with pytest.warns(CorpusWarning, match=r"legacy\.csv.*cp1252"):
        df = load_corpus(path, clean=False)
    assert df["text"].tolist() == ["Iran’s reply"]


def test_utf8_bom_csv_header(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbftext,id\nhello,a\n")
    df = load_corpus(path, clean=False)
    assert df["doc_id"].tolist() == ["a"]


def test_decode_bytes_contract() -> None:
    assert decode_bytes(b"plain", source="x") == ("plain", "utf-8")
    assert decode_bytes(b"  \n", source="x") == (None, "empty file")
    assert decode_bytes(b"a\x00b", source="x") == (None, "binary file (NUL bytes)")
    assert decode_bytes("é".encode("utf-32"), source="x") == ("é", "utf-32")


# ----------------------------------------------------------------------------- errors


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nowhere")
    with pytest.raises(CorpusError, match="does not exist"):
        iter_articles(tmp_path / "nowhere")  # raised at call time, not on first next()


def test_unknown_column_named(tmp_path: Path) -> None:
    path = _write_table(pd.DataFrame({"id": [1], "body": ["x"]}), tmp_path / "t.csv")
    with pytest.raises(CorpusError) as info:
        load_corpus(path, date_column="published_on")
    message = str(info.value)
    assert "'published_on'" in message and "t.csv" in message and "id, body" in message


def test_table_without_text_column(tmp_path: Path) -> None:
    path = _write_table(pd.DataFrame({"id": [1], "summary": ["x"]}), tmp_path / "t.tsv")
    with pytest.raises(CorpusError, match=r"t\.tsv: no text column found among: id, summary.*"):
        load_corpus(path)
    with pytest.raises(CorpusError, match="text_column="):
        load_corpus(path)


def test_folder_without_usable_text(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.warns(CorpusWarning), pytest.raises(CorpusError, match="no usable text"):
        load_corpus(tmp_path, clean=False)
    other = tmp_path / "other"
    other.mkdir()
    (other / "data.bin").write_bytes(b"\x00")
    with pytest.raises(CorpusError, match=r"other.*no \.txt or \.md files"):
        load_corpus(other)


def test_table_with_only_empty_text(tmp_path: Path) -> None:
    path = _write_table(pd.DataFrame({"text": ["", None]}), tmp_path / "t.parquet")
    with (
        pytest.warns(CorpusWarning, match="2 row"),
        pytest.raises(CorpusError, match=r"t\.parquet"),
    ):
        load_corpus(path, clean=False)


def test_unsupported_extension_and_format(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(b"PK")
    with pytest.raises(CorpusError, match=r"report\.docx.*unsupported file type '\.docx'"):
        load_corpus(path)
    with pytest.raises(CorpusError, match="unknown corpus format 'xml'"):
        load_corpus(path, format="xml")


def test_format_override(tmp_path: Path) -> None:
    path = tmp_path / "export.dat"
    path.write_text("text\nhello\n", encoding="utf-8")
    assert load_corpus(path, format="csv", clean=False)["text"].tolist() == ["hello"]


def test_cleaning_audit_needs_load_corpus_table() -> None:
    with pytest.raises(CorpusError, match="audit"):
        cleaning_audit(pd.DataFrame({"doc_id": ["a"]}))


# ----------------------------------------------------------------------------- streaming


@pytest.fixture
def chunk_counter(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the chunks TableReader actually reads (their row counts)."""
    sizes: list[int] = []
    original = TableReader.chunks

    def counting(self: TableReader):  # type: ignore[no-untyped-def]
        for chunk in original(self):
            sizes.append(len(chunk))
            yield chunk

    monkeypatch.setattr(TableReader, "chunks", counting)
    return sizes


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_tables_stream_in_chunks(tmp_path: Path, suffix: str, chunk_counter: list[int]) -> None:
    n = 5000
    frame = pd.DataFrame(
        {"id": [f"d{i}" for i in range(n)], "text": [f"row {i}" for i in range(n)]}
    )
    path = _write_table(frame, tmp_path / f"big{suffix}")
    stream = iter_articles(path, chunksize=500, clean=False)
    assert isinstance(stream, types.GeneratorType)
    assert chunk_counter == []  # nothing read before iteration starts
    first = list(itertools.islice(stream, 3))
    assert [a.doc_id for a in first] == ["d0", "d1", "d2"]
    assert chunk_counter == [500]
    rest = list(stream)
    assert len(rest) == n - 3
    assert rest[-1].source == f"big{suffix}:{n}"
    assert chunk_counter == [500] * 10


def test_guesses_do_not_reuse_named_columns(tmp_path: Path) -> None:
    frame = pd.DataFrame({"title": ["The story itself."], "headline": ["Head"]})
    (article,) = iter_articles(
        _write_table(frame, tmp_path / "t.csv"), text_column="title", clean=False
    )
    assert article.text == "The story itself."
    assert article.title == "Head"


def test_dates_numbers_and_time_zones(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "text": ["a", "b", "c", "d"],
            "timestamp": [
                "2023-11-08T23:30:00+02:00",
                "2023-11-09T01:00:00-05:00",
                "1699401600",
                "",
            ],
        }
    )
    path = _write_table(frame, tmp_path / "t.csv")
    with pytest.warns(CorpusWarning, match="1 value.*'timestamp'"):
        articles = list(iter_articles(path, clean=False))
    assert [a.date for a in articles] == [dt.date(2023, 11, 8), dt.date(2023, 11, 9), None, None]


def test_late_decoding_error_in_large_csv_names_file(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    path.write_bytes(b"text\n" + b"plain ascii row\n" * 6000 + b"Iran\x92s\n")
    with pytest.raises(CorpusError, match=r"late\.csv.*encoding="):
        list(iter_articles(path, clean=False))


def test_malformed_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok"}\n{"text": \n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"bad\.jsonl"):
        load_corpus(path, clean=False)


def test_articles_table_saves_to_parquet_with_its_audit(seeds_dir, tmp_path):
    df = load_corpus(seeds_dir)
    df.to_parquet(tmp_path / "articles.parquet")
    back = pd.read_parquet(tmp_path / "articles.parquet")
    assert back["doc_id"].tolist() == df["doc_id"].tolist()
    assert len(cleaning_audit(back)) == len(cleaning_audit(df)) > 0
