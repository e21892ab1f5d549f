"""One error tree, one message shape, and the command line's one-line reports."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from numbers import Integral
from pathlib import Path

import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError as SklearnNotFittedError

import topickit.commands.corpus as corpus_command_module
from topickit import exceptions
from topickit._validation import Interval, validate_params
from topickit.cli import main
from topickit.exceptions import (
    BundleError,
    ConfigError,
    CorpusError,
    DataError,
    DataTypeError,
    InvalidParameterError,
    NotFittedError,
    TopickitError,
    locate,
)

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------- the tree


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        (TopickitError, ValueError),
        (ConfigError, TopickitError),
        (InvalidParameterError, TopickitError),
        (DataError, TopickitError),
        (CorpusError, DataError),
        (DataTypeError, DataError),
        (DataTypeError, TypeError),
        (BundleError, TopickitError),
        (NotFittedError, TopickitError),
        (NotFittedError, SklearnNotFittedError),
    ],
)
def test_tree(child, parent):
    assert issubclass(child, parent)


@pytest.mark.parametrize(
    ("child", "other"),
    [(ConfigError, DataError), (BundleError, DataError), (CorpusError, InvalidParameterError)],
)
def test_branches_are_separate(child, other):
    assert not issubclass(child, other)


def test_not_fitted_error_is_one_class_named_in_its_module():
    assert exceptions.NotFittedError is NotFittedError
    assert NotFittedError.__module__ == "topickit.exceptions"
    assert NotFittedError.__qualname__ == "NotFittedError"
    assert "NotFittedError" in dir(exceptions)
    with pytest.raises(AttributeError):
        _ = exceptions.NoSuchError


def test_scikit_learn_checks_raise_a_topickit_error():
    from sklearn.utils.validation import check_is_fitted

    from topickit.models import TfidfNMF

    with pytest.raises(TopickitError):
        TfidfNMF(3).transform([["a"]])
    with pytest.raises(SklearnNotFittedError):
        check_is_fitted(TfidfNMF(3))


# ----------------------------------------------------------------- the message shape


def test_locate_names_file_key_column_row_and_member():
    assert locate("a.csv", column="body", row=3) == "a.csv, column 'body', row 3"
    assert locate(Path("x.toml"), key="model.k") == "x.toml, key 'model.k'"
    assert locate(None, member="model/meta.json") == "member 'model/meta.json'"
    assert locate() == ""


def test_constructors_build_the_same_shape():
    assert str(ConfigError.at("x.toml", "models[0].k", "must be an int")) == (
        "x.toml, key 'models[0].k': must be an int"
    )
    assert str(ConfigError.at("x.toml", None, "not found")) == "x.toml: not found"
    error = CorpusError.at("news.csv", "no such column", column="body", row=2)
    assert isinstance(error, CorpusError)
    assert str(error) == "news.csv, column 'body', row 2: no such column"
    assert str(BundleError.at("b", "bad checksum", member="model/arrays.npz")) == (
        "b, member 'model/arrays.npz': bad checksum"
    )
    assert str(DataTypeError.expected("texts[1]", "str", 1.5)) == "texts[1] is float, expected str"


def test_validate_params_uses_the_one_parameter_message():
    with pytest.raises(InvalidParameterError) as info:
        validate_params({"k": 0}, {"k": [Interval(Integral, 1, None)]}, "Thing")
    expected = InvalidParameterError.of("Thing", "k", "an int in the range [1, inf]", 0)
    assert str(info.value) == str(expected)
    assert str(info.value).startswith("The 'k' parameter of Thing must be an int")


def test_library_errors_name_what_is_at_fault(tmp_path):
    from topickit.corpus import load_corpus
    from topickit.segment import segment

    table = tmp_path / "t.csv"
    pd.DataFrame({"body": ["Some text here."]}).to_csv(table, index=False)
    with pytest.raises(CorpusError, match=r"t\.csv, column 'content': no such column"):
        load_corpus(table, text_column="content")
    with pytest.raises(InvalidParameterError, match="unknown level 'chapter'"):
        segment(load_corpus(ROOT / "seeds"), "chapter")
    with pytest.raises(DataTypeError, match="expects an iterable of texts"):
        from topickit.text.pipeline import TextPipeline

        TextPipeline().fit("one string")


# ------------------------------------------------------------------ the command line


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("topickit: error: ") and "Traceback" not in err
    return lines[0]


def test_missing_corpus_is_one_line(capsys, tmp_path):
    assert main(["corpus", str(tmp_path / "none")]) == 2
    assert str(tmp_path / "none") in _one_error_line(capsys)


def test_unknown_data_set_is_one_line(capsys):
    assert main(["data", "fetch", "no-such-set"]) == 2
    assert "unknown data set 'no-such-set'" in _one_error_line(capsys)


def test_out_onto_a_folder_names_the_folder(capsys, tmp_path):
    folder = tmp_path / "taken"
    folder.mkdir()
    argv = ["corpus", str(ROOT / "seeds"), "--show", "0", "--out", str(folder)]
    assert main(argv) == 2
    line = _one_error_line(capsys)
    assert line == f"topickit: error: {folder}: is a folder; --out takes a file name"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_full_disk_names_the_output(capsys, tmp_path, monkeypatch):
    def no_space(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", no_space)
    out = tmp_path / "units.csv"
    assert main(["corpus", str(ROOT / "seeds"), "--show", "0", "--out", str(out)]) == 2
    assert _one_error_line(capsys) == f"topickit: error: {out}: No space left on device"
    assert list(tmp_path.iterdir()) == []


def test_permission_denied_names_the_path(capsys, tmp_path, monkeypatch):
    def denied(path, **options):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(corpus_command_module, "load_corpus", denied)
    assert main(["corpus", str(tmp_path / "secret.csv")]) == 2
    assert _one_error_line(capsys) == (
        f"topickit: error: {tmp_path / 'secret.csv'}: Permission denied"
    )


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_unwritable_folder_is_one_line(capsys, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        out = locked / "units.csv"
        assert main(["corpus", str(ROOT / "seeds"), "--show", "0", "--out", str(out)]) == 2
        assert "Permission denied" in _one_error_line(capsys)
    finally:
        locked.chmod(0o700)


def test_ctrl_c_exits_130(capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(corpus_command_module, "load_corpus", interrupted)
    assert main(["corpus", "anything"]) == 130
    assert capsys.readouterr().err == "topickit: interrupted; temporary files removed\n"


def test_other_os_errors_are_not_hidden(monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(corpus_command_module, "load_corpus", broken)
    with pytest.raises(OSError, match="Input/output error"):
        main(["corpus", "anything"])


def test_a_multi_line_message_is_printed_on_one_line(capsys, monkeypatch):
    def two_lines(*args, **kwargs):
        raise CorpusError("first line\nsecond line")

    monkeypatch.setattr(corpus_command_module, "load_corpus", two_lines)
    assert main(["corpus", "anything"]) == 2
    assert _one_error_line(capsys) == "topickit: error: first line second line"


def test_a_real_process_prints_one_line_and_exits_2(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MPLBACKEND": "Agg"}
    config = tmp_path / "bad.toml"
    config.write_text('name = "x"\n[[models]]\nname = "m"\nkind = "nmf"\nflavour = 1\n')
    for argv in (["corpus", str(tmp_path / "missing")], ["run", str(config)]):
        result = subprocess.run(
            [sys.executable, "-m", "topickit", *argv],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            check=False,
        )
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stderr.startswith("topickit: error: ")


def test_intervals_hold_no_nan_and_no_infinity_on_an_open_side():
    from numbers import Real

    from topickit._validation import Interval

    unbounded_above = Interval(Real, 0, None, closed="left")
    assert unbounded_above.is_satisfied_by(3.5)
    assert not unbounded_above.is_satisfied_by(float("nan"))
    assert not unbounded_above.is_satisfied_by(float("inf"))
    assert Interval(Real, None, 0, closed="right").is_satisfied_by(-1e300)
    assert not Interval(Real, None, 0, closed="right").is_satisfied_by(float("-inf"))
