"""Reproducible clinical named entity recognition: BRAT corpora to BIO-tagged transformer models."""

__version__ = "0.1.0"
