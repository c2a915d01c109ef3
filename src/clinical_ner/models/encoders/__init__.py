"""Encoders: where an encoder comes from (the kinds registry), loading pre-trained ones (hub id, local
folder, package), building from-scratch ones (WordPiece, DistilBERT sizes, shipped architectures, the BiLSTM)
and masked-LM pre-training (stand-ins, task adaptation)."""
