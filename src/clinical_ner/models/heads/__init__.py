"""Classification heads over word-level vectors (Apt: linear; CRF) and valid-IOB2 decoding (Viterbi,
marginals)."""
