"""Experiment config validation: clear errors naming the key at fault."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from topickit.exceptions import ConfigError, InvalidParameterError
from topickit.experiment.config import PreprocessConfig, load_config, parse_config
from topickit.text.pipeline import TextPipeline

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


def test_preprocess_section_has_text_pipelines_parameters_and_defaults():
    names = [p for p in inspect.signature(TextPipeline.__init__).parameters if p != "self"]
    assert list(PreprocessConfig.model_fields) == names
    from_config = PreprocessConfig().model_dump()
    for name, value in TextPipeline().get_params().items():
        if isinstance(value, tuple | dict) or (value is None and name == "aliases"):
            assert from_config[name] in ([], {}) and not value, name  # written out empty
        else:
            assert from_config[name] == value and type(from_config[name]) is type(value), name


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("min_token_length", [0, 1, 2.5]),
        ("phrase_min_count", [0, 1]),
        ("phrase_threshold", [-1.0, -0.99, 1.0, 1.01]),
        ("phrase_min_docs", [0, 1]),
        ("no_below", [0, 1]),
        ("no_above", [0.0, 0.01, 1.0, 1.01]),
        ("keep_n", [None, 0, 1]),
        ("n_jobs", [0, 1]),
        ("lemmatize", [False, "yes"]),
        ("extra_stopwords", [["said"], "said"]),
        ("aliases", [{"u.s.": "us"}, {"u.s.": 1}]),
    ],
)
def test_preprocess_section_accepts_what_text_pipeline_accepts(name, values):
    for value in values:
        try:
            PreprocessConfig(**{name: value})
            config_ok = True
        except ValueError:
            config_ok = False
        try:
            TextPipeline(**{name: value})._validate_params()
            pipeline_ok = True
        except InvalidParameterError:
            pipeline_ok = False
        assert config_ok == pipeline_ok, (name, value)
