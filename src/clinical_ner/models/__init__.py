"""Model stage: encoders (hub id, local folder, from scratch, stand-in), sub-word alignment and windows,
Apt and CRF heads, the tagger, training, hyper-parameter selection, prediction and parameter counts."""
