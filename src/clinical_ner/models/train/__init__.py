"""Training: settings, the loop as named steps, the training job (model, history, summary), resumable
checkpoints, progress lines, hyper-parameter selection and the keep-or-retrain decision."""
