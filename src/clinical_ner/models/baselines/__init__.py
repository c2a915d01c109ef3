"""Classic baselines beside the neural taggers: the feature-based CRF (CRFsuite)."""
