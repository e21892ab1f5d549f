"""The one registry of kinds: built-in kinds, a user's own class, optional kinds, plugins."""

from __future__ import annotations

import importlib.metadata
import re
import sys
import textwrap

import numpy as np
import pytest

import topickit.bundle
import topickit.themes
from topickit.exceptions import BundleError, ConfigError
from topickit.models import TfidfNMF, TopicModel, make_model
from topickit.registry import MODELS, REPRESENTATIONS, THEME_CLASSIFIERS, Registry
from topickit.similarity.representations import (
    LatentSemanticVectors,
    TermVectors,
    TopicVectors,
    make_representation,
)
from topickit.themes.base import ThemeClassifier
from topickit.themes.registry import make_theme_classifier

DOCS = [
    ["oil", "price", "barrel", "oil"],
    ["vote", "election", "party", "vote"],
    ["oil", "barrel", "opec", "price"],
    ["party", "vote", "poll", "election"],
]


@pytest.fixture
def fresh_plugins():
    """Entry points are read again by the next look-up, and forgotten afterwards."""
    MODELS.reset_plugins()
    yield
    MODELS.reset_plugins()


class WordCountModel(TfidfNMF):
    """A user's own topic model: NMF under another kind name."""

    kind = "test_word_count"


# ---------------------------------------------------------------------- built-in kinds
def test_every_built_in_kind_is_registered_once():
    assert set(MODELS) >= {"gensim_lda", "kmeans", "lsa", "nmf", "sklearn_lda", "seeded_lda"}
    assert set(THEME_CLASSIFIERS) == {"majority", "lexicon", "supervised", "combined"}
    assert set(REPRESENTATIONS) == {"bow", "tfidf", "log_entropy", "bm25", "lsa"}
    for kind, cls in [*MODELS.items(), *THEME_CLASSIFIERS.items()]:
        assert cls.kind == kind
    # bundle loading, the themes package and the registry share one table
    assert topickit.bundle.THEME_CLASSIFIERS is THEME_CLASSIFIERS
    assert topickit.themes.THEME_CLASSIFIERS is THEME_CLASSIFIERS


def test_unknown_kinds_name_the_kind_and_the_choices():
    with pytest.raises(ConfigError, match=r"unknown model kind 'bertopic'; choose one of: .*nmf"):
        make_model("bertopic")
    with pytest.raises(ConfigError, match=r"unknown theme classifier kind 'svm'; choose one of:"):
        make_theme_classifier("svm")
    with pytest.raises(ConfigError, match=r"unknown representation kind 'word2vec'.*ensemble"):
        make_representation("word2vec", {})


def test_representation_kinds_and_model_kinds_build_representations():
    assert isinstance(make_representation("bm25", {"k1": 1.5}), TermVectors)
    assert make_representation("bm25", {}).weighting == "bm25"
    assert isinstance(make_representation("lsa", {"n_topics": 3}), LatentSemanticVectors)
    topics = make_representation("nmf", {"n_topics": 3, "max_iter": 50}, seed=7)
    assert isinstance(topics, TopicVectors)
    assert (topics.kind, topics.random_state, topics.model_params) == ("nmf", 7, {"max_iter": 50})
    with pytest.raises(ConfigError, match="unknown parameter 'bogus' for model kind 'nmf'"):
        make_representation("nmf", {"bogus": 1})


# ---------------------------------------------------------------------- a user's own class
def test_a_user_model_registers_with_one_call_and_round_trips(monkeypatch):
    monkeypatch.setattr(MODELS, "_classes", dict(MODELS._classes))  # restored afterwards
    assert MODELS.register(WordCountModel) is WordCountModel
    model = make_model("test_word_count", n_topics=2, max_iter=200).fit(DOCS)
    assert isinstance(model, WordCountModel)
    meta, arrays = model.get_state()
    assert meta["kind"] == "test_word_count"
    restored = TopicModel.from_state(meta, arrays)
    assert type(restored) is WordCountModel
    np.testing.assert_array_equal(restored.transform(DOCS), model.transform(DOCS))


def test_a_user_representation_registers_with_from_config(monkeypatch):
    monkeypatch.setattr(REPRESENTATIONS, "_classes", dict(REPRESENTATIONS._classes))

    class Raw(TermVectors):
        @classmethod
        def from_config(cls, kind, params, seed):
            return cls("bow", **params)

    REPRESENTATIONS.register(Raw, kind="raw_counts")
    rep = make_representation("raw_counts", {"sublinear": False})
    assert type(rep) is Raw and rep.weighting == "bow" and rep.sublinear is False


def test_registering_needs_a_kind_and_the_required_methods():
    registry = Registry("widget", required=("kind", "from_state"))
    with pytest.raises(TypeError, match="needs a non-empty 'kind' string"):
        registry.register(type("NoKind", (), {}))
    with pytest.raises(TypeError, match="needs a from_state"):
        registry.register(type("NoState", (), {"kind": "w"}))
    widget = type("Widget", (), {"kind": "w", "from_state": classmethod(lambda c, m, a: c())})
    assert registry.register(widget) is widget and registry.get_class("w") is widget


# ---------------------------------------------------------------------- optional kinds
def test_an_optional_kind_without_its_package_is_listed_with_its_install_hint():
    registry = Registry("model")
    decorate = registry.register(requires="no_such_package_for_topickit", install="pip install x")
    fast = decorate(type("FastModel", (), {"kind": "fast"}))
    assert "fast" not in registry and registry.choices() == ["fast"]
    with pytest.raises(ConfigError, match=re.escape("install it with: pip install x")):
        registry.get_class("fast")
    # rebuilding saved state needs only the class, not the training package
    assert registry.find("fast", saved=True) is fast
    assert registry.find("fast") is None


def test_tomotopy_is_listed_either_way_and_errors_with_the_install_hint(monkeypatch):
    assert "tomotopy_lda" in MODELS.choices()
    monkeypatch.delitem(MODELS, "tomotopy_lda", raising=False)
    with pytest.raises(ConfigError, match=re.escape("pip install 'topickit[fast]'")):
        make_model("tomotopy_lda")


# ---------------------------------------------------------------------- plugins
def _plugin_module(tmp_path, monkeypatch, name: str) -> None:
    (tmp_path / f"{name}.py").write_text(
        textwrap.dedent(
            """
            from topickit.models import TfidfNMF

            class PluginNMF(TfidfNMF):
                kind = "plugin_nmf"
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))


def test_an_entry_point_kind_is_loaded_on_its_first_look_up(tmp_path, monkeypatch, fresh_plugins):
    module = "topickit_test_plugin_a"
    _plugin_module(tmp_path, monkeypatch, module)
    calls = []

    def fake_entry_points(*, group):
        calls.append(group)
        return [importlib.metadata.EntryPoint("plugin_nmf", f"{module}:PluginNMF", group)]

    monkeypatch.setattr(importlib.metadata, "entry_points", fake_entry_points)
    monkeypatch.setattr(MODELS, "_classes", dict(MODELS._classes))
    assert make_model("nmf").kind == "nmf"  # known kinds never read the entry points
    assert calls == [] and module not in sys.modules
    model = make_model("plugin_nmf", n_topics=2)
    assert type(model).__name__ == "PluginNMF" and model.n_topics == 2
    assert calls == ["topickit.models"] and module in sys.modules
    assert MODELS["plugin_nmf"] is type(model)
    make_model("plugin_nmf")
    with pytest.raises(ConfigError, match=r"choose one of: .*plugin_nmf"):
        make_model("other_plugin")
    assert calls == ["topickit.models"]  # read once
    monkeypatch.delitem(sys.modules, module)


def test_a_broken_entry_point_is_a_config_error_naming_it(monkeypatch, fresh_plugins):
    def fake_entry_points(*, group):
        return [importlib.metadata.EntryPoint("broken", "no_such_module_xyz:Model", group)]

    monkeypatch.setattr(importlib.metadata, "entry_points", fake_entry_points)
    with pytest.raises(ConfigError, match="'no_such_module_xyz:Model', which cannot be loaded"):
        make_model("broken")


# ---------------------------------------------------------------------- saved state
@pytest.mark.parametrize("kind", ["os:system", "topickit.models.nmf:TfidfNMF", "no_such_kind"])
def test_a_saved_kind_only_selects_a_registered_class(kind, fresh_plugins, monkeypatch):
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda *, group: [])
    meta, arrays = make_model("nmf", n_topics=2, max_iter=200).fit(DOCS).get_state()
    with pytest.raises(BundleError, match="cannot be loaded by TopicModel"):
        TopicModel.from_state({**meta, "kind": kind}, arrays)
    with pytest.raises(BundleError, match="cannot be loaded by ThemeClassifier"):
        ThemeClassifier.from_state({"kind": kind, "format": 1}, {})


def test_state_of_one_kind_is_refused_by_another_class():
    meta, arrays = make_model("nmf", n_topics=2, max_iter=200).fit(DOCS).get_state()
    with pytest.raises(BundleError, match="kind 'nmf' cannot be loaded by WordCountModel"):
        WordCountModel.from_state(meta, arrays)
