"""The command line: summaries, exports, runs and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from topickit.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_corpus_summary_on_the_seeds(capsys, tmp_path):
    out = tmp_path / "units.csv"
    assert main(["corpus", str(ROOT / "seeds"), "--level", "paragraph", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "articles: 5" in printed
    assert "units (paragraph): 44" in printed
    assert "dates: 2023-11-05 to 2024-10-04 (4 of 5 articles dated)" in printed
    assert "skipped: none" in printed
    units = pd.read_csv(out)
    assert len(units) == 44 and {"unit_id", "text", "tokens", "char_start"} <= set(units.columns)
    assert not units.text.str.contains("ADVERTISEMENT|Spread the love|Translate >>").any()


def test_corpus_audit_lists_removals(capsys):
    assert main(["corpus", str(ROOT / "seeds"), "--audit", "--show", "0"]) == 0
    printed = capsys.readouterr().out
    assert "004 l.17 embed_notice: Click here to display content from Twitter." in printed


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["corpus", "no/such/folder"], "does not exist"),
        (["corpus", "SEEDS", "--text-column", "body"], ""),
        (["run", "no/such.toml"], "no/such.toml"),
    ],
)
def test_user_mistakes_end_with_one_line_and_status_2(argv, message, capsys, tmp_path):
    argv = [a.replace("SEEDS", str(ROOT / "seeds")) for a in argv]
    status = main(argv)
    err = capsys.readouterr().err
    if argv[-1] == "body":  # a column option on a folder of text files is ignored, not an error
        assert status == 0
        return
    assert status == 2
    assert err.startswith("topickit: error: ") and message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_bad_table_column_is_named(tmp_path, capsys):
    table = tmp_path / "t.csv"
    pd.DataFrame({"body": ["Some text here."]}).to_csv(table, index=False)
    assert main(["corpus", str(table), "--text-column", "content"]) == 2
    err = capsys.readouterr().err
    assert "content" in err and len(err.strip().splitlines()) == 1


def test_bad_config_key_via_the_command(tmp_path, capsys):
    config = tmp_path / "bad.toml"
    config.write_text('name = "x"\n[[models]]\nname = "m"\nkind = "nmf"\nflavour = 1\n')
    assert main(["run", str(config), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "models[0].flavour: unknown key" in err
    assert not (tmp_path / "out").exists()


def test_unknown_option_is_one_line(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["corpus", "--frobnicate"])
    assert exit_info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_module_entry_point_runs():
    done = subprocess.run(
        [sys.executable, "-m", "topickit", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.strip()


HEAVY = ("numpy", "pandas", "scipy", "sklearn", "gensim", "matplotlib")

_HELP_PROBE = """
import contextlib, io, json, sys
import topickit.cli
after_import = sorted(m for m in HEAVY if m in sys.modules)
commands = [[], ["corpus"], ["run"], ["infer"], ["data"], ["data", "fetch"], ["data", "list"]]
for argv in commands:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        topickit.cli.main([*argv, "--help"])
print(json.dumps([after_import, sorted(m for m in HEAVY if m in sys.modules)]))
"""


def test_help_imports_no_heavy_library():
    probe = f"HEAVY = {HEAVY!r}\n" + _HELP_PROBE
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""},
        check=True,
    )
    assert json.loads(result.stdout) == [[], []]


def test_help_lists_every_command():
    result = subprocess.run(
        [sys.executable, "-m", "topickit", "--help"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""},
        check=True,
    )
    for command in ("corpus", "run", "infer", "data"):
        assert command in result.stdout


def test_every_public_name_resolves_lazily():
    import topickit

    names = [n for n in topickit.__all__ if n != "__version__"]
    for name in names:
        value = getattr(topickit, name)
        assert getattr(value, "__name__", name) in (name, "load_bundle"), name
    assert topickit.load is topickit.load_bundle
    assert callable(topickit.segment)  # the function, though topickit.segment is a module too
    assert set(topickit.__all__) <= set(dir(topickit))
    with pytest.raises(AttributeError):
        _ = topickit.no_such_name


def test_version_comes_from_the_version_module():
    import topickit
    from topickit._version import __version__

    assert topickit.__version__ == __version__


def test_start_benchmark_prints_a_row_per_command():
    script = ROOT / "experiments" / "benchmarks" / "cli_start.py"
    result = subprocess.run(
        [sys.executable, str(script), "--runs", "1"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""},
        check=True,
    )
    rows = [line for line in result.stdout.splitlines() if line.startswith("| topickit")]
    expected = ["topickit --help"] + [
        f"topickit {c} --help"
        for c in ("corpus", "run", "infer", "data", "data fetch", "data list", "clean")
    ]
    assert [row.split("|")[1].strip() for row in rows] == expected
    for row in rows:
        median, low, high = (float(cell) for cell in row.split("|")[2:5])
        assert 0 < low <= median <= high
