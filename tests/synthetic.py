"""A small synthetic token corpus with three known themes, shared by the model tests."""

from __future__ import annotations

import numpy as np

POOLS = [
    ["gaza", "strike", "rocket", "army", "tunnel", "border", "soldier", "shelling"],
    ["oil", "price", "market", "barrel", "export", "tanker", "inflation", "trade"],
    ["vote", "election", "parliament", "coalition", "minister", "ballot", "party", "campaign"],
]
SHARED = ["said", "report", "today", "official"]


def themed_docs(n: int = 30, seed: int = 0) -> tuple[list[list[str]], np.ndarray]:
    """``n`` documents cycling over 3 themes: 14 pool words, 2 from another pool, 4 shared."""
    rng = np.random.default_rng(seed)
    docs, labels = [], []
    for i in range(n):
        k = i % 3
        other = POOLS[(k + 1 + i % 2) % 3]
        tokens = [*rng.choice(POOLS[k], 14), *rng.choice(other, 2), *rng.choice(SHARED, 4)]
        docs.append([str(t) for t in rng.permutation(tokens)])
        labels.append(k)
    return docs, np.asarray(labels)
