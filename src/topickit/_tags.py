"""scikit-learn tags shared by topickit's estimators over texts or token lists."""

from __future__ import annotations

from sklearn.utils import Tags

__all__ = ["text_input_tags"]


def text_input_tags(tags: Tags) -> Tags:
    """Mark ``tags`` (from ``super().__sklearn_tags__()``) as taking texts, not a matrix.

    topickit estimators take a list of raw texts or of token lists: no numeric 2-D array,
    no sparse matrix, no NaN. scikit-learn's numeric estimator checks therefore do not apply
    to them (see ``tests/test_sklearn_contract.py``).

    Parameters
    ----------
    tags : sklearn.utils.Tags

    Returns
    -------
    sklearn.utils.Tags
        The same object, changed in place.
    """
    tags.input_tags.two_d_array = False
    tags.input_tags.sparse = False
    tags.input_tags.allow_nan = False
    tags.input_tags.string = True
    if tags.transformer_tags is not None:
        # outputs are float64 whatever the input; there is no numeric input dtype to keep
        tags.transformer_tags.preserves_dtype = []
    return tags
