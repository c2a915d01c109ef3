"""Data stage: BRAT standoff in and out, sentences and tokens with exact offsets, IOB2 encoding and
decoding, the train/validation split, down-sampling, label distributions and the corpus report."""
