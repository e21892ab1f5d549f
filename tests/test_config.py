"""Experiment config validation: clear errors naming the key at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from topickit.exceptions import ConfigError
from topickit.experiment.config import load_config, parse_config

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = {"name": "t", "models": [{"name": "nmf", "kind": "nmf"}]}


@pytest.mark.parametrize("name", ["default", "k_sweep", "compare_lda"])
def test_shipped_configs_are_valid(name):
    config, corpus = load_config(ROOT / "experiments" / f"{name}.toml")
    assert config.name == name
    assert corpus == (ROOT / "seeds").resolve()


def test_defaults_are_filled_in():
    config = parse_config(MINIMAL)
    data = config.to_dict()
    assert data["preprocess"]["lemmatize"] is True
    assert data["sweep"]["seeds"] == 3
    assert data["evaluation"]["coherence"] == ["c_v", "c_npmi", "u_mass"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "red"}, r"config: colour: unknown key"),
        ({"preprocess": {"lemmatise": True}}, r"preprocess\.lemmatise: unknown key"),
        ({"sweep": {"seeds": "three"}}, r"sweep\.seeds: .*integer.*'three'"),
        ({"sweep": {"k": [1, 3]}}, r"sweep\.k: .*at least 2"),
        ({"levels": ["chapter"]}, r"levels\[0\]: .*'chapter'"),
        ({"models": [{"name": "x", "kind": "bertopic"}]}, r"models\[0\]: unknown model kind"),
        (
            {"models": [{"name": "x", "kind": "nmf", "params": {"n_iter": 3}}]},
            r"models\[0\].*n_iter",
        ),
        (
            {"models": [{"name": "x", "kind": "gensim_lda", "params": {"passes": -1}}]},
            r"models\[0\].*The 'passes' parameter of GensimLDA",
        ),
        ({"models": [{"kind": "nmf"}]}, r"models\[0\]\.name: required key is missing"),
        ({"compare": [{"a": "nmf", "b": "lda"}]}, r"compare\[0\]\.b: unknown model 'lda'"),
    ],
)
def test_bad_configs_name_the_key(change, message):
    with pytest.raises(ConfigError, match=message):
        parse_config({**MINIMAL, **change}, source="config")


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n")
    with pytest.raises(ConfigError, match=r"bad\.toml: not valid TOML"):
        load_config(bad)


def test_seed_override_and_relative_corpus_path(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text('name = "e"\n[corpus]\npath = "data"\n[[models]]\nname = "m"\nkind = "nmf"\n')
    config, corpus = load_config(path, seed=7)
    assert config.seed == 7
    assert corpus == (tmp_path / "data").resolve()
