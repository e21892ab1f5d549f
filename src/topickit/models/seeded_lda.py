"""Seeded (guided) LDA: one topic per codebook theme, steered by the theme's seed terms."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from numbers import Integral, Real
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.special import gammaln

from topickit._validation import Interval, Options, check_fitted
from topickit.exceptions import InvalidParameterError
from topickit.models.base import Docs, state_value
from topickit.models.lda_gensim import GensimLDA
from topickit.registry import MODELS
from topickit.themes.codebook import Codebook
from topickit.themes.mapping import as_codebook, seed_matches, seed_term_weights
from topickit.vectorize import count_matrix

__all__ = ["FREE_TOPIC", "SeededLDA"]

logger = logging.getLogger(__name__)

#: Theme name of a topic that no theme seeds.
FREE_TOPIC = "free"


@MODELS.register
class SeededLDA(GensimLDA):
    """LDA whose first topics are seeded with the themes of a codebook, in codebook order.

    Topic ``t < n_themes`` belongs to theme ``t``: its topic-word prior (gensim's ``eta``)
    is raised by ``seed_weight`` pseudo-counts on the theme's seed terms and lowered to
    ``cross_seed_factor`` times the base prior on the other themes' seed terms. The last
    ``n_free_topics`` topics are unseeded (symmetric prior) and absorb what no theme
    covers. Seeds are matched to the vocabulary as :func:`topickit.themes.mapping.seed_matches`
    does (lemmatised; a multi-word seed matches its phrase token, else its content words at
    half strength, and the boost is scaled by that strength).

    **Number of topics.** ``n_topics`` means what it means for every other model: the total
    number of topics, so an experiment's K sweep (``make_model(kind, n_topics=k, ...)``)
    works unchanged: ``n_free_topics = n_topics - n_themes``. Give either or both:

    * ``n_topics=None, n_free_topics=None``: ``n_themes + 1`` topics (one free topic);
    * ``n_topics=k`` only: ``k - n_themes`` free topics (``k < n_themes`` is an error);
    * ``n_free_topics=f`` only: ``n_themes + f`` topics;
    * both: they must agree, else :class:`~topickit.exceptions.InvalidParameterError`.

    Parameters are kept as given (scikit-learn style); the resolved counts are the fitted
    attributes ``n_topics_`` and ``n_free_topics_``.

    Parameters
    ----------
    n_topics : int or None, default=None
        Total number of topics (see above).
    codebook : Codebook, dict or str, default=None
        The themes; a dict as from :meth:`Codebook.to_dict` or a path to a codebook TOML
        file are accepted too (configs pass plain data). Required; checked in ``fit``.
    n_free_topics : int or None, default=None
        Unseeded topics after the theme topics (see above).
    seed_weight : float, default=1.0
        Pseudo-counts added to the prior of a theme's seed terms in the theme's topic
        (times the match strength). The base prior is ``1 / n_topics`` (``eta="symmetric"``)
        or the ``eta`` float, so the default raises a seed term's prior about ``n_topics``
        times above the base. 0 gives plain LDA with fixed topic count.
    cross_seed_factor : float in [0, 1], default=0.1
        Factor applied to the base prior of another theme's seed terms in a theme topic
        (1 leaves them alone). A term seeded by several themes is only boosted.
    eta : "symmetric" or float, default="symmetric"
        The base topic-word prior that the seeds modify (a learned or array prior cannot be
        combined with seeds).
    init : {"seeded", "random", "nmf"}, default="seeded"
        How the topic-word state starts. ``"seeded"``: gensim's random start plus every
        occurrence of a seed term put in its theme's topic (as guided LDA assigns seed
        words), so the first pass already follows the themes. ``"random"``: gensim's random
        start; only the prior steers, which on small corpora often loses the theme order.
        ``"nmf"``: :class:`GensimLDA`'s NMF start with the NMF topics matched to themes
        (Hungarian matching on the share of a topic's weight on each theme's seeds).
    **other parameters
        As :class:`GensimLDA`: alpha, passes, iterations, chunksize, eval_every, decay,
        offset, minimum_probability, gamma_threshold, n_jobs, random_state.

    Attributes
    ----------
    codebook_ : Codebook
    topic_themes_ : list of str
        Theme name of each topic; ``"free"`` for the free topics.
    n_free_topics_ : int
    seed_matches_ : pandas.DataFrame
        The seed-to-term matches used (``theme, seed, term, index, strength``).
    vocabulary_, components_, model_, n_topics_
        As :class:`GensimLDA`.
    """

    kind: ClassVar[str] = "seeded_lda"

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **GensimLDA._parameter_constraints,
        "n_topics": [None, Interval(Integral, 1, None, closed="left")],
        "eta": [Options({"symmetric"}), Interval(Real, 0, None, closed="neither")],
        "codebook": [None, Codebook, dict, str, Path],
        "n_free_topics": [None, Interval(Integral, 0, None, closed="left")],
        "seed_weight": [Interval(Real, 0, None, closed="left")],
        "cross_seed_factor": [Interval(Real, 0, 1, closed="both")],
        "init": [Options({"seeded", "random", "nmf"})],
    }

    def __init__(
        self,
        n_topics: int | None = None,
        *,
        codebook: Codebook | dict | str | Path | None = None,
        n_free_topics: int | None = None,
        seed_weight: float = 1.0,
        cross_seed_factor: float = 0.1,
        alpha: str | float | Sequence[float] = "symmetric",
        eta: str | float = "symmetric",
        passes: int = 10,
        iterations: int = 100,
        chunksize: int = 2000,
        eval_every: int | None = None,
        decay: float = 0.5,
        offset: float = 1.0,
        minimum_probability: float = 0.0,
        gamma_threshold: float = 0.001,
        n_jobs: int = 1,
        init: str = "seeded",
        random_state: int = 0,
    ) -> None:
        super().__init__(
            n_topics,
            alpha=alpha,
            eta=eta,
            passes=passes,
            iterations=iterations,
            chunksize=chunksize,
            eval_every=eval_every,
            decay=decay,
            offset=offset,
            minimum_probability=minimum_probability,
            gamma_threshold=gamma_threshold,
            n_jobs=n_jobs,
            init=init,
            random_state=random_state,
        )
        self.codebook = codebook
        self.n_free_topics = n_free_topics
        self.seed_weight = seed_weight
        self.cross_seed_factor = cross_seed_factor

    # ------------------------------------------------------------------ sizes
    def _resolve(self) -> tuple[Codebook, int, int]:
        """The codebook, total topics and free topics the parameters ask for."""
        if self.codebook is None:
            raise InvalidParameterError(f"{type(self).__name__} needs a 'codebook' parameter")
        book = as_codebook(self.codebook)
        if FREE_TOPIC in book.names:
            raise InvalidParameterError(f"codebook: a theme may not be called {FREE_TOPIC!r}")
        n_themes = len(book.themes)
        if self.n_topics is None:
            free = 1 if self.n_free_topics is None else self.n_free_topics
            return book, n_themes + free, free
        if self.n_topics < n_themes:
            raise InvalidParameterError(
                f"n_topics={self.n_topics} is smaller than the codebook's {n_themes} themes; "
                f"{type(self).__name__} needs n_topics >= {n_themes}"
            )
        free = self.n_topics - n_themes
        if self.n_free_topics is not None and self.n_free_topics != free:
            raise InvalidParameterError(
                f"n_topics={self.n_topics} and n_free_topics={self.n_free_topics} disagree: "
                f"the codebook has {n_themes} themes, so n_topics must be "
                f"{n_themes + self.n_free_topics} (or leave one of them unset)"
            )
        return book, self.n_topics, free

    def fit(self, X: Docs, y: Any = None) -> SeededLDA:
        """Learn the seeded topics of ``X`` (see :meth:`TopicModel.fit`).

        Raises
        ------
        InvalidParameterError
            For a missing or invalid codebook or topic counts that disagree with it.
        """
        self._validate_params()
        book, total, free = self._resolve()
        self.codebook_ = book
        self.n_free_topics_ = free
        self.topic_themes_ = [*book.names, *([FREE_TOPIC] * free)]
        self._start_mode = self.init
        # GensimLDA reads the topic count from the parameter, and defers training to a
        # custom start (``_start_from_nmf``) only for init="nmf": lend it those values.
        lent = {"n_topics": total, "init": "random" if self.init == "random" else "nmf"}
        with _lend(self, lent):
            super().fit(X, y)
        return self

    # ------------------------------------------------------------------ the seeded prior
    def _base_eta(self) -> float:
        return 1.0 / self.n_topics if isinstance(self.eta, str) else float(self.eta)

    def _make_eta(self, vocabulary: Sequence[str]) -> np.ndarray:
        """Prior of shape ``(n_topics, n_terms)``: seeds boosted in their theme's topic."""
        self.seed_matches_ = seed_matches(self.codebook_, vocabulary)
        weights = seed_term_weights(self.codebook_, vocabulary)
        base = self._base_eta()
        eta = np.full((self.n_topics, len(vocabulary)), base)
        n_themes = weights.shape[0]
        for t in range(n_themes):
            others = np.delete(weights, t, axis=0).max(axis=0) if n_themes > 1 else 0.0
            own = weights[t]
            damp = np.where(own > 0, 1.0, 1.0 - (1.0 - self.cross_seed_factor) * others)
            eta[t] = base * damp + self.seed_weight * own
        unmatched = [
            name for name, row in zip(self.codebook_.names, weights, strict=True) if not row.any()
        ]
        if unmatched:
            logger.warning(
                "no seed term of theme(s) %s is in the vocabulary; their topics are unseeded",
                ", ".join(unmatched),
            )
        return eta

    def _start_from_nmf(self, counts: sp.csr_matrix) -> None:
        """The custom start of the topic-word state (``init`` "seeded" or "nmf")."""
        weights = seed_term_weights(self.codebook_, self.vocabulary_)
        if self._start_mode == "nmf":
            # GensimLDA's NMF start, its topics reordered so that topic t starts near theme t.
            super()._start_from_nmf(counts)
            sstats = np.asarray(self.model_.state.sstats, dtype=np.float64)
            start = sstats[_theme_order(sstats, weights)]
        else:
            start = self._seeded_start(counts, weights)
        self.model_.state.sstats[...] = start.astype(self.model_.state.sstats.dtype)
        self.model_.sync_state()

    def _seeded_start(self, counts: sp.csr_matrix, weights: np.ndarray) -> np.ndarray:
        """gensim's random start plus every occurrence of a seed term in its theme's topic.

        A term seeded by several themes has its occurrences shared by match strength.
        """
        rng = self.model_.random_state
        start = rng.gamma(100.0, 1.0 / 100.0, (self.n_topics, counts.shape[1]))
        term_counts = np.asarray(counts.sum(axis=0), dtype=np.float64).ravel()
        totals = weights.sum(axis=0)
        share = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
        start[: weights.shape[0]] += share * term_counts
        return start

    # ------------------------------------------------------------------ perplexity
    def log_perplexity(self, X: Docs) -> float:
        """Per-word variational lower bound of ``X`` in nats, as :class:`GensimLDA`.

        gensim's ``LdaModel.bound`` assumes a scalar or per-term ``eta``: with a per-topic
        ``eta`` matrix it uses the sum of the whole matrix as every topic's Dirichlet total.
        This method adds back the difference, ``sum_k lnGamma(sum_j eta[k, j]) -
        K lnGamma(sum_kj eta[k, j])`` per word, so the value is the correct bound.
        """
        value = super().log_perplexity(X)
        eta = np.asarray(self.model_.eta, dtype=np.float64)
        if eta.ndim == 2:
            words = float(count_matrix(X, self.vocabulary_).sum())
            fix = gammaln(eta.sum(axis=1)).sum() - eta.shape[0] * gammaln(eta.sum())
            value += fix / words
        return float(value)

    # ------------------------------------------------------------------ themes
    def theme_scores(self, X: Docs) -> np.ndarray:
        """Theme shares of each document: its topic mix restricted to the theme topics.

        The weight on free topics is dropped and the theme topics' weights renormalised to
        sum to 1, so a document mostly about unseeded content still gets theme shares
        (``transform(X)[:, n_themes:].sum(axis=1)`` is that free mass). A row with no weight
        on any theme topic is uniform.

        Returns
        -------
        ndarray of shape (n_docs, n_themes)
            Columns in codebook order.
        """
        check_fitted(self, "components_")
        n_themes = len(self.codebook_.themes)
        mix = self.transform(X)[:, :n_themes]
        totals = mix.sum(axis=1, keepdims=True)
        out = np.full_like(mix, 1.0 / n_themes)
        np.divide(mix, totals, out=out, where=totals > 0)
        return out

    def predict_theme(self, X: Docs) -> np.ndarray:
        """The theme with the largest :meth:`theme_scores` share (object array of names)."""
        scores = self.theme_scores(X)
        names = np.asarray(self.codebook_.names, dtype=object)
        return names[np.argmax(scores, axis=1)] if len(scores) else names[:0]

    # ------------------------------------------------------------------ persistence
    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """As :meth:`TopicModel.get_state`, with the codebook stored as plain data.

        ``meta["codebook"]`` holds the fitted codebook's ``to_dict()`` data, from which
        ``codebook_`` is rebuilt (the codebook file is not read again). The ``codebook``
        parameter is kept as given (a Codebook as its data, a path as a string, with
        ``meta["codebook_param"]`` saying which), so ``get_params()`` round-trips too.
        """
        check_fitted(self, "components_")
        value = self.codebook
        if isinstance(value, Codebook):
            stored, form = value.to_dict(), "codebook"
        elif isinstance(value, Path):
            stored, form = str(value), "path"
        else:
            stored, form = value, "plain"
        with _lend(self, {"codebook": stored}):
            meta, arrays = super().get_state()
        meta["codebook"] = self.codebook_.to_dict()
        meta["codebook_param"] = form
        return meta, arrays

    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta, arrays = super()._state()
        meta["topic_themes"] = list(self.topic_themes_)
        return meta, arrays

    def _restore(self, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
        super()._restore(meta, arrays)
        form = meta.get("codebook_param", "plain")
        if form == "codebook":
            self.codebook = as_codebook(self.codebook)
        elif form == "path":
            self.codebook = Path(self.codebook)
        self.codebook_ = as_codebook(dict(state_value(meta, "codebook", "meta")))
        self.topic_themes_ = list(state_value(meta, "topic_themes", "meta"))
        self.n_free_topics_ = self.topic_themes_.count(FREE_TOPIC)
        self.seed_matches_ = seed_matches(self.codebook_, self.vocabulary_)


@contextmanager
def _lend(model: SeededLDA, values: dict[str, Any]) -> Iterator[None]:
    """Temporarily set parameters of ``model``; the given values come back afterwards."""
    saved = {name: getattr(model, name) for name in values}
    for name, value in values.items():
        setattr(model, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(model, name, value)


def _theme_order(topics: np.ndarray, weights: np.ndarray) -> list[int]:
    """Row order putting, for each theme, the topic most on its seeds first; rest after."""
    mass = topics / np.maximum(topics.sum(axis=1, keepdims=True), 1e-300)
    share = mass @ weights.T  # topics x themes
    rows, cols = linear_sum_assignment(share, maximize=True)
    by_theme = dict(zip(cols.tolist(), rows.tolist(), strict=True))
    first = [by_theme[h] for h in range(weights.shape[0])]
    return first + [k for k in range(topics.shape[0]) if k not in set(first)]
