"""Safe bundles: round trips in a fresh process, and refusal of tampered or pickled content."""

from __future__ import annotations

import io
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from topickit.bundle import (
    FORMAT_VERSION,
    THEME_CLASSIFIERS,
    BundleWarning,
    load_bundle,
    register_theme_classifier,
    save_bundle,
)
from topickit.bundle import format as fmt
from topickit.corpus import load_corpus
from topickit.exceptions import BundleError
from topickit.experiment.prepare_step import corpus_fingerprint
from topickit.models import make_model
from topickit.segment import segment
from topickit.text.pipeline import TextPipeline
from topickit.themes.codebook import Codebook

ROOT = Path(__file__).resolve().parents[1]
KINDS = {
    "kmeans": {},
    "nmf": {},
    "lsa": {},
    "gensim_lda": {"passes": 5},
    "sklearn_lda": {},
}
NEW_TEXTS = [
    "Israel struck Gaza overnight and the US called for a ceasefire.",
    "Iran's supreme leader Ayatollah Ali Khamenei warned Benjamin Netanyahu.",
    "Nothing here is in the vocabulary: zzz qqq.",
]
CODEBOOK = {
    "name": "test",
    "version": "2",
    "themes": [
        {"name": "violence", "definition": "attacks", "seed_terms": ["strike", "killed"]},
        {"name": "diplomacy", "definition": "talks", "seed_terms": ["ceasefire", "talks"]},
    ],
}


class KeywordThemes:
    """A tiny theme classifier for tests: keyword counts plus a stored bias array."""

    kind = "test_keywords"

    def __init__(self, keywords: dict[str, list[str]], bias: np.ndarray) -> None:
        self.keywords = keywords
        self.classes_ = list(keywords)
        self.bias = np.asarray(bias, dtype=np.float64)

    def get_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        return {"keywords": self.keywords}, {"bias": self.bias}

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> KeywordThemes:
        return cls(meta["keywords"], arrays["bias"])

    def predict_scores(self, texts: list[str]) -> np.ndarray:
        counts = np.array(
            [[sum(t.lower().count(w) for w in ws) for ws in self.keywords.values()] for t in texts],
            dtype=np.float64,
        )
        scores = counts + self.bias
        return scores / scores.sum(axis=1, keepdims=True)


class Marker:
    """Unpickling this object creates ``path``: proof that something was unpickled."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


@pytest.fixture(scope="module")
def fitted():
    articles = load_corpus(ROOT / "seeds")
    units = segment(articles, "paragraph")
    texts = list(units["text"])
    pipeline = TextPipeline()
    corpus = pipeline.to_corpus(pipeline.fit_transform(texts))
    models = {
        kind: make_model(kind, n_topics=4, random_state=0, **params).fit(corpus)
        for kind, params in KINDS.items()
    }
    info = {
        "fingerprint": corpus_fingerprint(articles),
        "n_articles": len(articles),
        "n_units": len(units),
    }
    return {"texts": texts, "pipeline": pipeline, "models": models, "corpus": info}


def _save(fitted, path, kind="nmf", **extra):
    return save_bundle(
        path,
        pipeline=fitted["pipeline"],
        model=fitted["models"][kind],
        level="paragraph",
        config={"model": {"kind": kind, "n_topics": 4}, "pipeline": {"phrases": True}},
        corpus=fitted["corpus"],
        metrics={"coherence_npmi": 0.1234, "diversity": 0.9, "broken": float("nan")},
        **extra,
    )


@pytest.fixture(scope="module")
def saved(fitted, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bundles")
    return {kind: _save(fitted, folder / kind, kind) for kind in KINDS}


@pytest.fixture
def nmf_copy(saved, tmp_path):
    return Path(shutil.copytree(saved["nmf"], tmp_path / "nmf"))


def _manifest(path: Path) -> dict:
    return json.loads((path / "manifest.json").read_text(encoding="utf-8"))


def _write_manifest(path: Path, manifest: dict) -> None:
    """Rewrite the manifest and its digest, as a deliberate editor would."""
    data = json.dumps(manifest).encode("utf-8")
    (path / "manifest.json").write_bytes(data)
    (path / "manifest.sha256").write_bytes(fmt.manifest_digest_bytes(data))


def _replace_file(bundle: Path, name: str, data: bytes) -> None:
    """Swap a member and fix its checksum, so only the content checks can catch it."""
    (bundle / name).write_bytes(data)
    manifest = _manifest(bundle)
    manifest["files"][name] = fmt.sha256_hex(data)
    _write_manifest(bundle, manifest)


FRESH_SCRIPT = """
import json, sys
from topickit.bundle import load_bundle
paths, texts, out = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
result = {}
for kind, path in paths.items():
    b = load_bundle(path)
    result[kind] = {
        "transform": b.transform(texts).to_numpy().tolist(),
        "tokens": b.preprocess(texts),
        "topics": b.topics(5).to_dict(orient="list"),
    }
with open(out, "w", encoding="utf-8") as f:
    json.dump(result, f)
"""


def test_every_model_kind_predicts_identically_after_loading_in_a_fresh_process(
    fitted, saved, tmp_path
):
    texts = fitted["texts"] + NEW_TEXTS
    out = tmp_path / "predictions.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    paths = {kind: str(p) for kind, p in saved.items()}
    subprocess.run(
        [sys.executable, "-c", FRESH_SCRIPT, json.dumps(paths), json.dumps(texts), str(out)],
        check=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    fresh = json.loads(out.read_text(encoding="utf-8"))
    tokens = fitted["pipeline"].transform(texts)
    assert sorted(fresh) == sorted(KINDS)
    for kind, model in fitted["models"].items():
        expected = model.transform(tokens)
        got = np.asarray(fresh[kind]["transform"])
        assert got.shape == (len(texts), 4)
        # gensim LDA re-seeds inference per document, so it is exact too
        np.testing.assert_allclose(got, expected, atol=1e-6, rtol=0, err_msg=kind)
        assert fresh[kind]["tokens"] == tokens
        terms = [[t for t, _ in topic] for topic in model.topic_terms(5)]
        assert fresh[kind]["topics"]["term"] == [t for topic in terms for t in topic]


def test_pipeline_state_round_trip_rebuilds_the_dictionary_and_tokens_exactly(fitted):
    pipe = fitted["pipeline"]
    meta, arrays = pipe.get_state()
    meta = json.loads(json.dumps(meta))
    loaded = TextPipeline.from_state(meta, {k: np.array(v) for k, v in arrays.items()})
    assert loaded.phrases_ == pipe.phrases_
    assert list(loaded.phrases_) == list(pipe.phrases_)
    assert loaded.get_state()[0]["stopwords"] == sorted(pipe.stopword_set())
    assert loaded.get_params() == {
        k: list(v) if isinstance(v, tuple) else v for k, v in pipe.get_params().items()
    }
    old, new = pipe.dictionary_, loaded.dictionary_
    assert new.token2id == old.token2id
    assert new.dfs == old.dfs and new.cfs == old.cfs
    assert (new.num_docs, new.num_pos, new.num_nnz) == (old.num_docs, old.num_pos, old.num_nnz)
    assert loaded.vocabulary_report_ == pipe.vocabulary_report_
    assert loaded.transform(NEW_TEXTS) == pipe.transform(NEW_TEXTS)
    assert "benjamin_netanyahu" in loaded.transform(NEW_TEXTS)[1]


def test_pipeline_state_refuses_an_unsorted_vocabulary(fitted):
    meta, arrays = fitted["pipeline"].get_state()
    meta["vocabulary"] = list(reversed(meta["vocabulary"]))
    with pytest.raises(BundleError, match="sorted order"):
        TextPipeline.from_state(meta, arrays)


def test_manifest_lists_every_file_with_its_checksum(saved):
    path = saved["lsa"]
    manifest = _manifest(path)
    on_disk = sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())
    assert on_disk == sorted([*manifest["files"], "manifest.json", "manifest.sha256"])
    for name, digest in manifest["files"].items():
        assert fmt.sha256_hex((path / name).read_bytes()) == digest
    stated = (path / "manifest.sha256").read_text(encoding="ascii")
    assert stated == fmt.sha256_hex((path / "manifest.json").read_bytes()) + "  manifest.json\n"
    assert manifest["format"] == "topickit-bundle"
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["components"] == ["pipeline", "model"]
    assert manifest["corpus"]["level"] == "paragraph"
    assert manifest["corpus"]["n_units"] == 44
    assert manifest["metrics"] == {"coherence_npmi": 0.1234, "diversity": 0.9, "broken": None}
    assert manifest["model"] == {"kind": "lsa", "class": "LSA", "n_topics": 4, "n_terms": 631}
    assert manifest["codebook"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", manifest["created"])


def test_zip_bundle_loads_like_the_folder(fitted, saved, tmp_path):
    zipped = _save(fitted, tmp_path / "model.zip", "gensim_lda")
    assert zipfile.is_zipfile(zipped)
    a = load_bundle(zipped).transform(NEW_TEXTS)
    b = load_bundle(saved["gensim_lda"]).transform(NEW_TEXTS)
    pd.testing.assert_frame_equal(a, b)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.zip"]  # no temp leftovers


def test_zip_of_the_bundle_folder_with_a_top_directory_loads(saved, tmp_path):
    target = tmp_path / "wrapped.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for p in saved["nmf"].rglob("*"):
            if p.is_file():
                archive.write(p, "nmf/" + p.relative_to(saved["nmf"]).as_posix())
    assert load_bundle(target).n_topics == 4


@pytest.mark.parametrize("bad_name", ["../evil.json", "/etc/evil.json", "C:/evil.json"])
def test_zip_members_escaping_the_bundle_are_refused(saved, tmp_path, bad_name):
    target = tmp_path / "slip.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for p in saved["nmf"].rglob("*"):
            if p.is_file():
                archive.write(p, p.relative_to(saved["nmf"]).as_posix())
        archive.writestr(bad_name, b"{}")
    with pytest.raises(BundleError, match="unsafe path in bundle zip"):
        load_bundle(target)
    assert not (tmp_path.parent / "evil.json").exists()


def test_oversized_zip_members_are_refused(fitted, tmp_path, monkeypatch):
    zipped = _save(fitted, tmp_path / "big.zip")
    monkeypatch.setattr(fmt, "MAX_MEMBER_BYTES", 1000)
    with pytest.raises(BundleError, match=r"oversized bundle member: \S+ \(\d+ bytes\)"):
        load_bundle(zipped)


def test_a_flipped_byte_is_a_checksum_error_naming_the_file(nmf_copy):
    target = nmf_copy / "model" / "meta.json"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(
        BundleError,
        match=r"^checksum mismatch for model/meta\.json: the bundle was modified or corrupted$",
    ):
        load_bundle(nmf_copy)


def test_a_missing_file_is_named(nmf_copy):
    (nmf_copy / "pipeline" / "arrays.npz").unlink()
    with pytest.raises(BundleError, match=r"^missing file in bundle: pipeline/arrays\.npz$"):
        load_bundle(nmf_copy)


def test_a_missing_manifest_is_reported(nmf_copy):
    (nmf_copy / "manifest.json").unlink()
    with pytest.raises(BundleError, match=r"no manifest\.json found"):
        load_bundle(nmf_copy)


def test_a_manifest_without_a_required_key_is_reported(nmf_copy):
    manifest = _manifest(nmf_copy)
    del manifest["files"]
    _write_manifest(nmf_copy, manifest)
    with pytest.raises(BundleError, match="missing required key 'files'"):
        load_bundle(nmf_copy)


def test_a_newer_major_format_version_is_refused_naming_both_versions(nmf_copy):
    manifest = _manifest(nmf_copy)
    manifest["format_version"] = "2.0"
    _write_manifest(nmf_copy, manifest)
    with pytest.raises(BundleError, match=rf"version 2\.0 is newer than .* \({FORMAT_VERSION}\)"):
        load_bundle(nmf_copy)


def test_a_newer_minor_format_version_loads_with_a_warning(nmf_copy):
    manifest = _manifest(nmf_copy)
    manifest["format_version"] = "1.7"
    _write_manifest(nmf_copy, manifest)
    with pytest.warns(BundleWarning, match=rf"1\.7 is newer than {FORMAT_VERSION}"):
        bundle = load_bundle(nmf_copy)
    assert bundle.n_topics == 4


def test_a_pickle_in_place_of_a_file_is_refused_and_never_unpickled(nmf_copy, tmp_path):
    probe = tmp_path / "probe-marker"
    pickle.loads(pickle.dumps(Marker(probe)))
    assert probe.exists(), "the payload must really act when unpickled"

    marker = tmp_path / "unpickled-marker"
    _replace_file(nmf_copy, "model/arrays.npz", pickle.dumps(Marker(marker)))
    with pytest.raises(BundleError, match=r"^refusing to load pickle data: model/arrays\.npz$"):
        load_bundle(nmf_copy)
    assert not marker.exists()


def test_a_protocol_0_pickle_is_refused_too(nmf_copy, tmp_path):
    marker = tmp_path / "unpickled-marker"
    _replace_file(nmf_copy, "model/meta.json", pickle.dumps(Marker(marker), protocol=0))
    with pytest.raises(BundleError, match=r"refusing to load pickle data: model/meta\.json"):
        load_bundle(nmf_copy)
    assert not marker.exists()


def test_a_pickle_file_added_to_the_bundle_is_refused(nmf_copy):
    (nmf_copy / "model" / "extra.pkl").write_bytes(b"not even a pickle")
    with pytest.raises(BundleError, match=r"refusing to load pickle data: model/extra\.pkl"):
        load_bundle(nmf_copy)


def test_an_npz_with_an_object_array_is_refused_and_never_unpickled(nmf_copy, tmp_path):
    marker = tmp_path / "unpickled-marker"
    buffer = io.BytesIO()
    np.savez(buffer, components=np.array([Marker(marker)], dtype=object))
    _replace_file(nmf_copy, "model/arrays.npz", buffer.getvalue())
    with pytest.raises(
        BundleError, match=r"^model/arrays\.npz holds an object array; refusing to unpickle$"
    ):
        load_bundle(nmf_copy)
    assert not marker.exists()


def test_an_unlisted_file_is_refused(nmf_copy):
    (nmf_copy / "notes.json").write_text("{}", encoding="utf-8")
    with pytest.raises(BundleError, match=r"unlisted file in bundle: notes\.json"):
        load_bundle(nmf_copy)


def test_desktop_clutter_is_ignored(nmf_copy):
    (nmf_copy / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    assert load_bundle(nmf_copy).n_topics == 4


def test_a_symbolic_link_inside_a_bundle_folder_is_refused(nmf_copy, tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text("{}", encoding="utf-8")
    (nmf_copy / "link.json").symlink_to(outside)
    with pytest.raises(BundleError, match=r"refusing symbolic link in bundle: link\.json"):
        load_bundle(nmf_copy)


def test_save_refuses_to_overwrite_unless_asked(fitted, tmp_path):
    target = _save(fitted, tmp_path / "b")
    before = _manifest(target)["model"]["kind"]
    with pytest.raises(BundleError, match="already exists; pass overwrite=True"):
        _save(fitted, target, "lsa")
    assert _manifest(target)["model"]["kind"] == before == "nmf"
    _save(fitted, target, "lsa", overwrite=True)
    assert load_bundle(target).model.kind == "lsa"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]  # no temp leftovers


def test_save_never_overwrites_a_folder_that_is_not_a_bundle(fitted, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.txt").write_text("precious", encoding="utf-8")
    with pytest.raises(BundleError, match="not a topickit bundle folder"):
        _save(fitted, tmp_path / "mine", overwrite=True)
    assert (tmp_path / "mine" / "thesis.txt").read_text(encoding="utf-8") == "precious"


def test_save_refuses_object_arrays_in_a_state(fitted, tmp_path):
    class ObjectModel:
        kind = "nmf"

        def get_state(self):
            return {"kind": "nmf"}, {"components": np.array([{"a": 1}], dtype=object)}

    with pytest.raises(BundleError, match=r"model/arrays\.npz: array 'components' has dtype"):
        save_bundle(
            tmp_path / "obj",
            pipeline=fitted["pipeline"],
            model=ObjectModel(),
            level="paragraph",
            config={},
            corpus=fitted["corpus"],
        )
    assert not (tmp_path / "obj").exists()


@pytest.mark.parametrize("array", [np.array(["a", "b"]), np.zeros(2, dtype=np.complex128)])
def test_save_refuses_arrays_the_loader_would_refuse(fitted, tmp_path, array):
    class StringModel:
        kind = "nmf"

        def get_state(self):
            return {"kind": "nmf"}, {"components": array}

    with pytest.raises(BundleError, match=r"only bool, integer and float arrays can be saved"):
        save_bundle(
            tmp_path / "str",
            pipeline=fitted["pipeline"],
            model=StringModel(),
            level="paragraph",
            config={},
            corpus=fitted["corpus"],
        )
    assert not (tmp_path / "str").exists()


def test_save_requires_the_corpus_summary(fitted, tmp_path):
    with pytest.raises(BundleError, match="corpus is missing 'n_units'"):
        save_bundle(
            tmp_path / "x",
            pipeline=fitted["pipeline"],
            model=fitted["models"]["nmf"],
            level="paragraph",
            config={},
            corpus={"fingerprint": "abc", "n_articles": 5},
        )


def test_transform_accepts_one_string_and_empty_input(saved):
    bundle = load_bundle(saved["sklearn_lda"])
    one = bundle.transform(NEW_TEXTS[0])
    assert one.shape == (1, 4)
    assert list(one.columns) == ["topic_0", "topic_1", "topic_2", "topic_3"]
    np.testing.assert_allclose(one.to_numpy(), bundle.transform([NEW_TEXTS[0]]).to_numpy())
    assert one.to_numpy().sum() == pytest.approx(1.0)
    empty = bundle.transform([])
    assert empty.shape == (0, 4)
    assert list(empty.columns) == list(one.columns)
    assert bundle.preprocess("Israel struck Gaza.") == [["israel", "strike", "gaza"]]
    assert bundle.preprocess([]) == []
    with pytest.raises(TypeError, match=r"texts\[1\] is float, expected str"):
        bundle.transform(["fine", float("nan")])


def test_topics_table_matches_the_model(fitted, saved):
    topics = load_bundle(saved["nmf"]).topics(3)
    assert list(topics.columns) == ["topic", "rank", "term", "weight"]
    assert topics["topic"].tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert topics["rank"].tolist() == [1, 2, 3] * 4
    expected = fitted["models"]["nmf"].topic_terms(3)
    assert topics["term"].tolist() == [t for topic in expected for t, _ in topic]


def test_describe_mentions_model_kind_k_corpus_and_codebook(fitted, tmp_path):
    path = _save(fitted, tmp_path / "b", "gensim_lda", codebook=Codebook.from_dict(CODEBOOK))
    bundle = load_bundle(path)
    text = bundle.describe()
    assert "kind 'gensim_lda'" in text
    assert "K=4 topics" in text
    assert "5 articles, 44 units" in text
    assert "level: paragraph" in text
    assert "coherence_npmi=0.1234" in text
    assert "test v2: violence, diplomacy" in text
    assert bundle.codebook == Codebook.from_dict(CODEBOOK)
    assert repr(bundle) == "Bundle(model=gensim_lda, n_topics=4, level=paragraph)"


def test_theme_classifier_round_trip_and_predictions(fitted, tmp_path, monkeypatch):
    monkeypatch.setitem(THEME_CLASSIFIERS, "test_keywords", None)  # removed again afterwards
    assert register_theme_classifier(KeywordThemes) is KeywordThemes
    clf = KeywordThemes(
        {"violence": ["struck", "strike"], "diplomacy": ["ceasefire", "talks"]},
        np.array([0.01, 0.02]),
    )
    path = _save(fitted, tmp_path / "t.zip", "nmf", theme_classifier=clf, codebook=CODEBOOK)
    bundle = load_bundle(path)
    assert _bundle_components(path) == ["pipeline", "model", "themes"]
    frame = bundle.predict_themes(["Israel struck Gaza.", "Ceasefire talks resume.", "Hello."])
    assert list(frame.columns) == ["theme", "theme_violence", "theme_diplomacy"]
    assert frame["theme"].tolist() == ["violence", "diplomacy", "diplomacy"]
    np.testing.assert_allclose(frame.iloc[0, 1:].to_numpy(float), [1.01 / 1.03, 0.02 / 1.03])
    empty = bundle.predict_themes([])
    assert list(empty.columns) == list(frame.columns) and len(empty) == 0
    assert "test_keywords (violence, diplomacy)" in bundle.describe()

    monkeypatch.delitem(THEME_CLASSIFIERS, "test_keywords")
    with pytest.raises(BundleError, match="unknown theme classifier kind 'test_keywords'"):
        load_bundle(path)


def _bundle_components(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))["components"]


def test_predict_themes_without_a_classifier_says_so(saved):
    with pytest.raises(BundleError, match=r"^this bundle has no theme classifier$"):
        load_bundle(saved["kmeans"]).predict_themes(["text"])


def test_loading_a_path_that_does_not_exist_is_reported(tmp_path):
    with pytest.raises(BundleError, match="does not exist"):
        load_bundle(tmp_path / "nope")


def test_the_bundle_code_never_imports_pickle_or_evaluates_code():
    sources = [*sorted((ROOT / "src/topickit/bundle").glob("*.py"))]
    sources.append(ROOT / "src/topickit/text/pipeline_state.py")
    banned = re.compile(
        r"\b(import|from)\s+(pickle|joblib|cloudpickle|dill|marshal|shelve)\b"
        r"|\beval\(|\bexec\(|allow_pickle=True"
    )
    for source in sources:
        assert not banned.search(source.read_text(encoding="utf-8")), source.name


def test_a_real_lexicon_classifier_round_trips_through_a_zip_bundle(fitted, tmp_path):
    from topickit.themes.codebook import load_codebook
    from topickit.themes.lexicon import LexiconScorer

    codebook = load_codebook(ROOT / "experiments" / "codebook.toml")
    clf = LexiconScorer(codebook=codebook).fit(fitted["texts"])
    path = _save(fitted, tmp_path / "lex.zip", theme_classifier=clf, codebook=codebook)
    frame = load_bundle(path).predict_themes(fitted["texts"])
    assert list(frame.columns) == ["theme", *(f"theme_{n}" for n in codebook.names)]
    expected = clf.predict_scores(fitted["texts"])
    np.testing.assert_allclose(frame.iloc[:, 1:].to_numpy(float), expected, atol=1e-12)
    assert frame["theme"].tolist() == [codebook.names[i] for i in expected.argmax(axis=1)]
