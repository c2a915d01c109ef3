"""Embedded default corpus: a seeded generator of synthetic n2c2-2018-like discharge letters written
as BRAT through the data stage's writer, and the lexicon it draws from."""
