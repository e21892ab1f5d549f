"""Safe model bundles: save a fitted pipeline and topic model without pickle, load them back.

::

    from topickit.bundle import load_bundle, save_bundle
    save_bundle("runs/nmf-k8", pipeline=pipe, model=nmf, level="paragraph",
                config=config, corpus={"fingerprint": fp, "n_articles": 5, "n_units": 44})
    bundle = load_bundle("runs/nmf-k8")
    bundle.transform(["Israel struck Gaza overnight."])
"""

from __future__ import annotations

from topickit.bundle.bundle import Bundle
from topickit.bundle.format import FORMAT_NAME, FORMAT_VERSION, BundleWarning
from topickit.bundle.load import THEME_CLASSIFIERS, load_bundle, register_theme_classifier
from topickit.bundle.save import save_bundle

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "THEME_CLASSIFIERS",
    "Bundle",
    "BundleWarning",
    "load_bundle",
    "register_theme_classifier",
    "save_bundle",
]
