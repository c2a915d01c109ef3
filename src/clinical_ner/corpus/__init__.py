"""Embedded default corpus: a seeded generator of synthetic n2c2-2018-like discharge letters (size presets
`default` and `n2c2`), written with the data stage's BRAT writer and counted with its sentence splitter."""
