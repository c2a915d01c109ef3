"""Evaluation stage: token metrics (BIO-strict, token level), entity-level span scorers, ablations,
per-run evaluation files, the study's tables and figures."""
