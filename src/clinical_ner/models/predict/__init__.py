"""Prediction with a saved model: sentence rows with per-token and per-entity confidence, folders of
notes to BRAT, int8 quantisation for CPU."""
