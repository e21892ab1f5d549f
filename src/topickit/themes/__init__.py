"""Themes: codebooks, annotations, theme classifiers and topic-to-theme mapping."""
