"""Tampered and crafted bundles: each is refused with one BundleError line before it is used.

Every bad bundle here is made from a real bundle saved from models fitted on the seed
articles. Most edits are "re-signed" (the manifest's checksums and ``manifest.sha256`` are
recomputed), as a deliberate forger would do, so that the content screens behind the
checksums are what is tested.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from topickit.bundle import BundleWarning, load_bundle, save_bundle
from topickit.bundle import format as fmt
from topickit.bundle.load import read_members
from topickit.cli import main
from topickit.corpus import load_corpus
from topickit.exceptions import BundleError
from topickit.models import make_model
from topickit.segment import segment
from topickit.text.pipeline import TextPipeline

ROOT = Path(__file__).resolve().parents[1]
TEXT = "Israel struck Gaza overnight and the US called for a ceasefire.\n"


# ---------------------------------------------------------------------- fixtures and helpers
@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    """Real NMF and gensim LDA bundles (folders) fitted on the seed paragraphs."""
    articles = load_corpus(ROOT / "seeds")
    units = segment(articles, "paragraph")
    pipeline = TextPipeline()
    corpus = pipeline.to_corpus(pipeline.fit_transform(list(units["text"])))
    folder = tmp_path_factory.mktemp("originals")
    out = {}
    for kind, params in {"nmf": {}, "gensim_lda": {"passes": 2}}.items():
        model = make_model(kind, n_topics=4, random_state=0, **params).fit(corpus)
        out[kind] = save_bundle(
            folder / kind,
            pipeline=pipeline,
            model=model,
            level="paragraph",
            config={"model": {"kind": kind}},
            corpus={"fingerprint": "f" * 64, "n_articles": len(articles), "n_units": len(units)},
            metrics={"coherence_npmi": 0.25},
        )
    return out


@pytest.fixture
def nmf(originals, tmp_path):
    return Path(shutil.copytree(originals["nmf"], tmp_path / "nmf"))


@pytest.fixture
def lda(originals, tmp_path):
    return Path(shutil.copytree(originals["gensim_lda"], tmp_path / "lda"))


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _sign(members: dict[str, bytes]) -> dict[str, bytes]:
    """Recompute the manifest's checksums and digest over ``members`` (a forger's step)."""
    out = dict(members)
    try:
        manifest = json.loads(out["manifest.json"])
        manifest["files"] = {
            name: fmt.sha256_hex(out[name]) for name in manifest["files"] if name in out
        }
        out["manifest.json"] = json.dumps(manifest).encode("utf-8")
    except (KeyError, TypeError, ValueError, AttributeError):
        pass
    if "manifest.json" in out:
        out["manifest.sha256"] = fmt.manifest_digest_bytes(out["manifest.json"])
    return out


def _write_folder(folder: Path, members: dict[str, bytes]) -> Path:
    for name, data in members.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def _members(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.*")}


def _put(folder: Path, name: str, data: bytes) -> None:
    """Replace one file and re-sign the bundle."""
    members = _members(folder)
    members[name] = data
    _write_folder(folder, _sign(members))


def _edit_json(folder: Path, name: str, edit) -> None:
    data = _json(folder / name)
    edit(data)
    _put(folder, name, json.dumps(data).encode("utf-8"))


def _edit_manifest(folder: Path, edit) -> None:
    """Edit the manifest after re-signing the other files; only its digest is renewed."""
    members = _sign(_members(folder))
    manifest = json.loads(members["manifest.json"])
    edit(manifest)
    _put_manifest(folder, json.dumps(manifest).encode("utf-8"))


def _put_manifest(folder: Path, data: bytes) -> None:
    (folder / "manifest.json").write_bytes(data)
    (folder / "manifest.sha256").write_bytes(fmt.manifest_digest_bytes(data))


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _arrays(folder: Path, component: str) -> dict[str, np.ndarray]:
    with np.load(folder / component / "arrays.npz") as npz:
        return {k: npz[k] for k in npz.files}


def _npy_header_only(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    buffer = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue() + b"\0" * 64


def _zip_npz(members: dict[str, bytes], compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _refused(path: Path, pattern: str) -> str:
    with pytest.raises(BundleError, match=pattern) as info:
        load_bundle(path)
    message = str(info.value)
    assert "\n" not in message and message.strip() == message
    return message


def _zip_of(folder: Path, target: Path, extra=()) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                archive.write(p, p.relative_to(folder).as_posix())
        for info, data in extra:
            archive.writestr(info, data)
    return target


# ---------------------------------------------------------------------- 0. no false refusals
SCREENED_KINDS = {
    "seeded_lda": {"codebook": str(ROOT / "experiments" / "codebook.toml"), "passes": 2},
    "tomotopy_lda": {"iterations": 20},
}


@pytest.mark.parametrize("kind", sorted(SCREENED_KINDS))
def test_kinds_with_other_array_layouts_pass_the_screens(kind, tmp_path):
    # seeded LDA stores eta per topic and term, where plain LDA stores one per term
    if kind == "tomotopy_lda":
        pytest.importorskip("tomotopy")
    units = segment(load_corpus(ROOT / "seeds"), "paragraph")
    pipeline = TextPipeline()
    corpus = pipeline.to_corpus(pipeline.fit_transform(list(units["text"])))
    model = make_model(kind, n_topics=6, random_state=0, **SCREENED_KINDS[kind]).fit(corpus)
    path = save_bundle(
        tmp_path / kind,
        pipeline=pipeline,
        model=model,
        level="paragraph",
        config={},
        corpus={"fingerprint": "f" * 64, "n_articles": 5, "n_units": len(units)},
    )
    bundle = load_bundle(path)
    expected = model.transform(pipeline.transform([TEXT]))
    np.testing.assert_allclose(bundle.transform([TEXT]).to_numpy(), expected, atol=1e-9)


# ---------------------------------------------------------------------- 1. the manifest itself
@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'"coherence_npmi": 0.25', b'"coherence_npmi": 0.95'),
        (b'"level": "paragraph"', b'"level": "sentence"'),
        (b'"n_topics": 4', b'"n_topics": 9'),
    ],
)
def test_an_edited_manifest_is_a_checksum_error(nmf, old, new):
    data = (nmf / "manifest.json").read_bytes()
    assert old in data
    (nmf / "manifest.json").write_bytes(data.replace(old, new))
    _refused(nmf, r"^checksum mismatch for manifest\.json: it does not match manifest\.sha256")


def test_a_single_flipped_bit_in_the_manifest_is_caught(nmf):
    data = bytearray((nmf / "manifest.json").read_bytes())
    data[data.index(b"0.25") + 3] ^= 0x01  # 0.25 -> 0.24: still valid JSON, still loads before
    (nmf / "manifest.json").write_bytes(bytes(data))
    assert json.loads(bytes(data))["metrics"]["coherence_npmi"] == 0.24
    _refused(nmf, r"checksum mismatch for manifest\.json")


def test_a_current_bundle_without_its_manifest_digest_is_refused(nmf):
    (nmf / "manifest.sha256").unlink()
    _refused(nmf, r"^missing file in bundle: manifest\.sha256 \(format 1\.1 bundles must")


@pytest.mark.parametrize("content", [b"", b"not a digest\n", b"0" * 64 + b"  other.json\n"])
def test_a_malformed_manifest_digest_is_refused(nmf, content):
    (nmf / "manifest.sha256").write_bytes(content)
    _refused(nmf, r"^manifest\.sha256: expected one line")


def test_a_format_1_0_bundle_without_a_digest_loads_with_a_warning(nmf):
    manifest = _json(nmf / "manifest.json")
    manifest["format_version"] = "1.0"
    (nmf / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (nmf / "manifest.sha256").unlink()
    with pytest.warns(BundleWarning, match=r"no manifest\.sha256, so manifest\.json .* cannot"):
        bundle = load_bundle(nmf)
    assert bundle.n_topics == 4
    assert bundle.manifest["metrics"] == {"coherence_npmi": 0.25}


def test_the_cli_refuses_an_edited_manifest_in_one_line(nmf, tmp_path, capsys):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    data = (nmf / "manifest.json").read_bytes()
    (nmf / "manifest.json").write_bytes(data.replace(b"0.25", b"0.75"))
    assert main(["infer", str(nmf), str(tmp_path / "a.txt")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "checksum mismatch for manifest.json" in err[0]


# ---------------------------------------------------------------------- 2. array headers
def test_a_tiny_npz_declaring_terabytes_is_refused_from_its_header(nmf):
    crafted = _zip_npz({"components.npy": _npy_header_only((1 << 21, 1 << 19))})
    assert len(crafted) < 8000
    _put(nmf, "model/arrays.npz", crafted)
    _refused(nmf, r"^model/arrays\.npz:components\.npy declares shape \(2097152, 524288\)")


MEMORY_CEILING_SCRIPT = """
import io, resource, sys
import numpy as np
resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
from topickit.bundle import load_bundle
from topickit.exceptions import BundleError
try:
    load_bundle(sys.argv[1])
except BundleError as err:
    print("refused:", err)
with np.load(sys.argv[1] + "/model/arrays.npz") as npz:
    try:
        npz["components"]
    except MemoryError:
        print("np.load alone: MemoryError")
"""


def test_the_terabyte_header_is_refused_under_a_memory_ceiling(nmf):
    crafted = _zip_npz({"components.npy": _npy_header_only((1 << 21, 1 << 19))})
    _put(nmf, "model/arrays.npz", crafted)
    threads = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    env = {**os.environ, **threads, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_CEILING_SCRIPT, str(nmf)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("refused: model/arrays.npz:components.npy declares shape")
    # the control: numpy on its own really tries to allocate what the header declares
    assert lines[1:] == ["np.load alone: MemoryError"]


def test_an_inner_member_claiming_more_than_its_stored_bytes_is_refused(nmf):
    crafted = bytearray(_zip_npz({"components.npy": _npy_header_only((4, 631))}))
    central = crafted.rindex(b"PK\x01\x02")
    crafted[central + 24 : central + 28] = (0xFFFFFF00).to_bytes(4, "little")
    _put(nmf, "model/arrays.npz", bytes(crafted))
    _refused(nmf, r"^model/arrays\.npz:components\.npy claims 4294967040 bytes from \d+ stored")


def test_a_header_that_disagrees_with_its_data_size_is_refused(nmf):
    arrays = _arrays(nmf, "model")
    raw = _npz(arrays)
    with zipfile.ZipFile(io.BytesIO(raw)) as inner:
        members = {n: inner.read(n) for n in inner.namelist()}
    members["components.npy"] = members["components.npy"][:-8]  # one float short
    _put(nmf, "model/arrays.npz", _zip_npz(members))
    _refused(nmf, r"components\.npy declares shape \(4, 631\) of <f8 \(20192 bytes\) but holds")


@pytest.mark.parametrize(
    ("component", "key", "value", "pattern"),
    [
        ("model", "components", np.ones((4, 630)), r"'components' has shape \(4, 630\), expected"),
        ("model", "components", np.ones((5, 631)), r"'components' has shape \(5, 631\), expected"),
        ("model", "idf", np.ones(632), r"'idf' has shape \(632,\), expected \(631,\)"),
        ("pipeline", "dfs", np.ones(630, dtype=np.int64), r"'dfs' has shape \(630,\)"),
        ("pipeline", "cfs", np.ones(631), r"cfs must be an integer array"),
    ],
)
def test_array_shapes_must_match_the_vocabulary_and_topics(nmf, component, key, value, pattern):
    arrays = _arrays(nmf, component)
    assert key in arrays
    arrays[key] = value
    _put(nmf, f"{component}/arrays.npz", _npz(arrays))
    _refused(nmf, rf"^{component}/arrays\.npz: .*{pattern}")


def test_priors_must_have_one_value_per_topic(lda):
    arrays = _arrays(lda, "model")
    arrays["alpha"] = np.full(5, 0.25, dtype=np.float32)
    _put(lda, "model/arrays.npz", _npz(arrays))
    _refused(lda, r"^model/arrays\.npz: array 'alpha' has shape \(5,\), expected \(4,\)")


def test_a_huge_topic_count_in_meta_json_is_refused_at_once(nmf):
    _edit_json(nmf, "model/meta.json", lambda m: m.update(n_topics=10**12))
    _refused(nmf, r"^model/meta\.json: params\.n_topics is 4 but n_topics is 1000000000000$")
    _edit_json(nmf, "model/meta.json", lambda m: m["params"].update(n_topics=10**12))
    _refused(nmf, r"^model/meta\.json: n_topics is 10+, manifest\.json model\.n_topics says 4$")
    _edit_manifest(nmf, lambda m: m["model"].update(n_topics=10**12))
    _refused(nmf, r"'components' has shape \(4, 631\), expected \(1000000000000, 631\)")


@pytest.mark.parametrize(
    ("array", "pattern"),
    [
        (np.array(["a", "b"]), r"dtype <U1 is not allowed"),
        (np.zeros(3, dtype=[("x", "<f8"), ("y", "<i4")]), r"dtype .* is not allowed"),
        (np.zeros(3, dtype=np.complex128), r"dtype <c16 is not allowed"),
        (np.array([None, 1], dtype=object), r"holds an object array; refusing to unpickle"),
    ],
)
def test_only_numeric_dtypes_are_accepted(nmf, array, pattern):
    arrays = _arrays(nmf, "model")
    arrays["components"] = array
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=True, **arrays)
    _put(nmf, "model/arrays.npz", buffer.getvalue())
    _refused(nmf, pattern)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_weights_are_refused_after_loading(nmf, bad):
    arrays = _arrays(nmf, "model")
    arrays["components"][2, 7] = bad
    _put(nmf, "model/arrays.npz", _npz(arrays))
    _refused(nmf, r"^model/arrays\.npz: array 'components' holds NaN or infinite values$")


@pytest.mark.parametrize(
    ("members", "pattern"),
    [
        ({"components.txt": b"1 2 3"}, r"components\.txt is not a \.npy array member"),
        ({"sub/components.npy": b""}, r"sub/components\.npy is not a \.npy array member"),
        ({"../components.npy": b""}, r"is not a \.npy array member"),
    ],
)
def test_npz_members_must_be_plain_npy_arrays(nmf, members, pattern):
    _put(nmf, "model/arrays.npz", _zip_npz(members))
    _refused(nmf, pattern)


def test_a_duplicate_npz_member_is_refused(nmf):
    arrays = _arrays(nmf, "model")
    with zipfile.ZipFile(io.BytesIO(_npz(arrays))) as inner:
        data = inner.read("components.npy")
    with pytest.warns(UserWarning, match="Duplicate name"):
        crafted = _zip_npz_twice("components.npy", data)
    _put(nmf, "model/arrays.npz", crafted)
    _refused(nmf, r"^model/arrays\.npz: array 'components' occurs twice$")


def _zip_npz_twice(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
        archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("old", "new"), [(b"631)", b"631\xc2\xbe"), (b"'<f8'", b"'<f8"), (b"'shape'", b"'sh\0pe'")]
)
def test_a_garbled_npy_header_is_refused(nmf, old, new):
    # the first case was found by the fuzz test below: numpy raised tokenize.TokenError
    arrays = _arrays(nmf, "model")
    with zipfile.ZipFile(io.BytesIO(_npz(arrays))) as inner:
        members = {n: inner.read(n) for n in inner.namelist()}
    assert old in members["components.npy"][:128]
    members["components.npy"] = members["components.npy"].replace(old, new, 1)
    _put(nmf, "model/arrays.npz", _zip_npz(members))
    _refused(nmf, r"^model/arrays\.npz: unreadable \.npy header: ")


def test_an_npz_that_is_not_a_zip_is_refused(nmf):
    _put(nmf, "model/arrays.npz", b"PK\x03\x04 but nothing else")
    _refused(nmf, r"^model/arrays\.npz is not a valid \.npz file")


# ---------------------------------------------------------------------- 3. JSON limits and types
def test_an_oversized_manifest_is_refused_before_it_is_parsed(nmf):
    _edit_json(nmf, "manifest.json", lambda m: m["config"].update(pad="x" * (5 << 20)))
    _refused(nmf, r"^oversized bundle member: manifest\.json \(\d+ bytes\)$")


def test_an_oversized_manifest_in_a_zip_is_refused_from_its_declared_size(nmf, tmp_path):
    _edit_json(nmf, "manifest.json", lambda m: m["config"].update(pad="x" * (5 << 20)))
    _refused(_zip_of(nmf, tmp_path / "big.zip"), r"^oversized bundle member: manifest\.json")


@pytest.mark.parametrize(
    ("depth", "pattern"), [(100_000, "is nested too deeply"), (40, "nests JSON deeper than 32")]
)
def test_deeply_nested_json_is_refused(nmf, depth, pattern):
    data = _json(nmf / "model" / "meta.json")
    text = json.dumps(data)[:-1] + ', "deep": ' + "[" * depth + "]" * depth + "}"
    _put(nmf, "model/meta.json", text.encode("utf-8"))
    _refused(nmf, rf"^model/meta\.json {pattern}")


def test_a_duplicate_json_key_is_refused(nmf):
    text = (nmf / "manifest.json").read_text(encoding="utf-8")
    _put_manifest(nmf, text.replace('"config":', '"components": ["model"], "config":', 1).encode())
    _refused(nmf, r"^manifest\.json: key 'components' occurs twice in one JSON object$")


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        (b"\xff\xfe{}", r"model/meta\.json is not valid JSON"),
        (b'{"n": ' + b"9" * 5000 + b"}", r"model/meta\.json is not valid JSON"),
        (b"[1, 2", r"model/meta\.json is not valid JSON"),
        (b"[1, 2]", r"model/meta\.json: expected a JSON object"),
    ],
)
def test_unreadable_meta_json_is_refused(nmf, data, pattern):
    _put(nmf, "model/meta.json", data)
    _refused(nmf, pattern)


MANIFEST_CONFUSIONS = [
    (lambda m: m["corpus"].update(level=["paragraph"]), r"corpus\.level \['paragraph'\] is not"),
    (lambda m: m.update(format_version=1.1), r"format_version 1\.1 is not of the form"),
    (lambda m: m.update(components="pipeline"), r"components must be a JSON list"),
    (lambda m: m.update(components=[["model"]]), r"unknown component \['model'\]"),
    (lambda m: m.update(components=["pipeline", "model", "model"]), r"lists a component twice"),
    (lambda m: m["files"].update({"model/meta.json": ["ab"]}), r"is not a SHA-256 hex digest"),
    (lambda m: m.update(model=[4]), r"model must be a JSON object"),
    (lambda m: m["model"].update(n_topics="4"), r"model\.n_topics must be an integer"),
    (lambda m: m.update(metrics=[0.1]), r"metrics must be a JSON dict"),
    (lambda m: m.update(codebook={"themes": "x"}), r"codebook: themes: at least two"),
    (
        lambda m: m.update(components=["pipeline", "model", "themes"]),
        r"component 'themes' needs themes/meta\.json",
    ),
]


@pytest.mark.parametrize(("edit", "pattern"), MANIFEST_CONFUSIONS)
def test_type_confusions_in_the_manifest_are_refused(nmf, edit, pattern):
    _edit_manifest(nmf, edit)
    _refused(nmf, rf"^manifest\.json.*{pattern}")


def test_a_list_as_the_theme_classifier_kind_is_refused(nmf):
    (nmf / "themes").mkdir()
    _write_folder(nmf, {"themes/meta.json": b"{}", "themes/arrays.npz": _npz({})})

    def edit(m):
        m["components"].append("themes")
        m["files"].update({"themes/meta.json": "0" * 64, "themes/arrays.npz": "0" * 64})
        m["theme_classifier"] = {"kind": ["lexicon"]}

    _edit_json(nmf, "manifest.json", edit)
    _refused(nmf, r"^manifest\.json: theme_classifier\.kind must be a string$")


META_CONFUSIONS = [
    (lambda m: m.update(kind=["nmf"]), r"kind must be a JSON str, not list"),
    (lambda m: m.update(vocabulary="abc"), r"vocabulary must be a JSON list, not str"),
    (lambda m: m["vocabulary"].__setitem__(3, 17), r"vocabulary\[3\] must be a string, not int"),
    (lambda m: m.update(n_topics="4"), r"n_topics must be a JSON int, not str"),
    (lambda m: m.update(n_topics=True), r"n_topics must be a JSON int, not bool"),
    (lambda m: m.update(n_topics=0), r"n_topics must be at least 1"),
    (lambda m: m.update(params=[]), r"params must be a JSON dict, not list"),
    (lambda m: m.update(array_params=[1]), r"array_params\[0\] must be a string, not int"),
    (lambda m: m.pop("vocabulary"), r"missing key 'vocabulary'"),
]


@pytest.mark.parametrize(("edit", "pattern"), META_CONFUSIONS)
def test_type_confusions_in_the_model_meta_are_refused(nmf, edit, pattern):
    _edit_json(nmf, "model/meta.json", edit)
    _refused(nmf, rf"^model/meta\.json: {pattern}$")


def test_unknown_model_params_are_refused_by_the_rebuild(nmf):
    _edit_json(nmf, "model/meta.json", lambda m: m["params"].update(evil=1))
    _refused(nmf, r"^model/meta\.json: .*evil")


@pytest.mark.parametrize(
    ("param", "value"), [("max_iter", None), ("beta_loss", None), ("random_state", [])]
)
def test_invalid_model_params_are_refused_at_load_not_at_transform(nmf, param, value):
    # found by the JSON fuzz test: these loaded, then failed inside transform
    _edit_json(nmf, "model/meta.json", lambda m: m["params"].update({param: value}))
    _refused(nmf, rf"^model/meta\.json: model state params do not fit TfidfNMF: .*{param}")


# ---------------------------------------------------------------------- 3. files that are not files
def _load_in_thread(path: Path) -> BaseException | None:
    """Load in a worker thread; a load that blocks (e.g. on a FIFO) leaves it alive."""
    caught: list[BaseException | None] = [None]

    def run() -> None:
        try:
            load_bundle(path)
        except BaseException as err:  # handed back to the test, whatever it is
            caught[0] = err

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "load_bundle blocked"
    return caught[0]


@pytest.mark.parametrize("name", ["model/meta.json", "extra.fifo"])
def test_a_fifo_inside_a_bundle_is_refused_without_blocking(nmf, name):
    (nmf / name).unlink(missing_ok=True)
    os.mkfifo(nmf / name)
    err = _load_in_thread(nmf)
    assert isinstance(err, BundleError)
    assert str(err) == f"refusing non-regular file in bundle: {name}"


def test_a_fifo_given_as_the_bundle_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "bundle.zip")
    err = _load_in_thread(tmp_path / "bundle.zip")
    assert isinstance(err, BundleError)
    assert "is not a regular file or folder" in str(err)


def test_a_symlinked_component_folder_is_refused(nmf, tmp_path):
    outside = Path(shutil.copytree(nmf / "model", tmp_path / "elsewhere"))
    shutil.rmtree(nmf / "model")
    (nmf / "model").symlink_to(outside, target_is_directory=True)
    _refused(nmf, r"^refusing symbolic link in bundle: model$")


def test_a_symlinked_file_is_refused_even_when_it_points_inside(nmf):
    (nmf / "model" / "meta.json").rename(nmf / "model" / "real.json")
    (nmf / "model" / "meta.json").symlink_to("real.json")
    _refused(nmf, r"^refusing symbolic link in bundle: model/meta\.json$")


# ---------------------------------------------------------------------- 3. zip members
def _symlink_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize(
    ("extra", "pattern"),
    [
        ((("model/meta.json", b"{}"),), r"^duplicate member in bundle zip: model/meta\.json$"),
        ((("../../escape.json", b"{}"),), r"^unsafe path in bundle zip: '\.\./\.\./escape\.json'$"),
        ((("/abs/escape.json", b"{}"),), r"^unsafe path in bundle zip: '/abs/escape\.json'$"),
        ((("../outside/", b""),), r"^unsafe path in bundle zip: '\.\./outside/'$"),
        ((("model\\x.json", b"{}"),), r"^unsafe path in bundle zip"),
        (((_symlink_info("link.json"), b"/etc/passwd"),), r"^refusing symbolic link in bundle zip"),
    ],
)
def test_bad_zip_members_are_refused(nmf, tmp_path, extra, pattern):
    with pytest.warns(UserWarning) if "duplicate" in pattern else contextlib.nullcontext():
        target = _zip_of(nmf, tmp_path / "b.zip", extra)
    _refused(target, pattern)


@pytest.mark.parametrize("name", ["notes\n.json", "model/\x1b[2Jx.json"])
def test_file_names_with_control_characters_are_refused_in_one_line(nmf, tmp_path, name):
    (nmf / name).write_text("{}", encoding="utf-8")
    _refused(nmf, r"^unsafe file name in bundle: '")
    _refused(_zip_of(nmf, tmp_path / "b.zip"), r"^unsafe path in bundle zip: '")


# ---------------------------------------------------------------------- 4. infer and run folders
def _run_folder(tmp_path: Path, bundle: Path, best: object) -> Path:
    run = tmp_path / "run"
    (run / "models").mkdir(parents=True)
    shutil.copytree(bundle, run / "models" / "nmf_paragraph")
    (run / "metrics.json").write_text(json.dumps({"best": best}), encoding="utf-8")
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    return run


def _infer_error(run: Path, tmp_path: Path, capsys) -> str:
    assert main(["infer", str(run), str(tmp_path / "a.txt")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_a_run_folder_pointer_inside_the_run_works(originals, tmp_path, capsys):
    run = _run_folder(tmp_path, originals["nmf"], {"paragraph": "nmf"})
    assert main(["infer", str(run), str(tmp_path / "a.txt")]) == 0
    out = capsys.readouterr().out.splitlines()
    header = "unit_id,doc_id,title,date,source,level,text,coverage,topic,topic_terms,topic_0"
    assert out[0].startswith(header)
    assert len(out) == 2


@pytest.mark.parametrize("name", ["../../elsewhere/nmf", "/abs/elsewhere", "..\\x", "a\0b"])
def test_a_best_model_pointer_leading_outside_is_refused(originals, tmp_path, capsys, name):
    outside = tmp_path / "elsewhere"
    shutil.copytree(originals["nmf"], outside / "nmf_paragraph")
    run = _run_folder(tmp_path, originals["nmf"], {"paragraph": name})
    line = _infer_error(run, tmp_path, capsys)
    assert "which is not a plain name" in line


def test_a_models_entry_linking_outside_the_run_is_refused(originals, tmp_path, capsys):
    run = _run_folder(tmp_path, originals["nmf"], {"paragraph": "nmf"})
    outside = Path(shutil.copytree(originals["nmf"], tmp_path / "outside"))
    shutil.rmtree(run / "models" / "nmf_paragraph")
    (run / "models" / "nmf_paragraph").symlink_to(outside, target_is_directory=True)
    assert "leads outside the run folder" in _infer_error(run, tmp_path, capsys)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"best": {"paragraph": "nmf"', "is not valid JSON"),
        (b"\xff\xfe", "is not valid JSON"),
        (b'{"best": ["nmf"]}', "'best' must map each level to a model name"),
        (b'{"best": {"paragraph": ["nmf"]}}', "'best' must map each level to a model name"),
        (b"[1]", "'best' must map each level to a model name"),
        (b'{"best": {}}', "names no best model"),
    ],
)
def test_a_damaged_metrics_json_is_one_line(originals, tmp_path, capsys, content, expected):
    run = _run_folder(tmp_path, originals["nmf"], {})
    (run / "metrics.json").write_bytes(content)
    assert expected in _infer_error(run, tmp_path, capsys)


# ---------------------------------------------------------------------- 5. fuzzing
def _mutate(members: dict[str, bytes], data) -> dict[str, bytes]:
    """One random byte flip, truncation, or member rename."""
    out = dict(members)
    name = data.draw(st.sampled_from(sorted(out)))
    action = data.draw(st.sampled_from(["flip", "truncate", "rename"]))
    blob = out[name]
    if action == "flip" and blob:
        at = data.draw(st.integers(0, len(blob) - 1))
        bit = data.draw(st.integers(0, 7))
        out[name] = blob[:at] + bytes([blob[at] ^ (1 << bit)]) + blob[at + 1 :]
    elif action == "truncate":
        out[name] = blob[: data.draw(st.integers(0, max(len(blob) - 1, 0)))]
    else:
        new = data.draw(st.sampled_from([*sorted(out), "x.json", "model/x.npz", "a/b/c"]))
        out[new] = out.pop(name)
    return out


def _load_mutated(members: dict[str, bytes], as_zip: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if as_zip:
            path = Path(tmp) / "b.zip"
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, blob in members.items():
                    archive.writestr(name, blob)
        else:
            path = _write_folder(Path(tmp) / "b", members)
            path.mkdir(exist_ok=True)
        try:
            bundle = load_bundle(path)
        except BundleError as err:
            assert "\n" not in str(err)
            event(re.sub(r"[0-9a-f]{8,}|\d+", "N", str(err))[:70])
        else:  # a harmless change (e.g. re-signed JSON whitespace) may load, and then works
            assert bundle.transform([TEXT]).shape == (1, bundle.n_topics)
            event("loaded")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), as_zip=st.booleans())
def test_fuzz_mutated_bundles_only_raise_bundle_errors(originals, data, as_zip):
    members = read_members(originals["nmf"])
    _load_mutated(_mutate(members, data), as_zip)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), as_zip=st.booleans())
def test_fuzz_mutated_and_re_signed_bundles_only_raise_bundle_errors(originals, data, as_zip):
    members = read_members(originals["gensim_lda"])
    _load_mutated(_sign(_mutate(members, data)), as_zip)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_re_signed_json_values_only_raise_bundle_errors(originals, data):
    members = read_members(originals["nmf"])
    name = data.draw(st.sampled_from(["manifest.json", "model/meta.json", "pipeline/meta.json"]))
    doc = json.loads(members[name])
    target = doc
    path = data.draw(st.lists(st.integers(0, 50), min_size=1, max_size=3))
    for step in path:
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        if not keys:
            break
        key = keys[step % len(keys)]
        if isinstance(target[key], dict | list) and step % 2:
            target = target[key]
            continue
        target[key] = data.draw(JSON_VALUES)
        break
    members[name] = json.dumps(doc).encode("utf-8")
    _load_mutated(_sign(members), as_zip=False)
