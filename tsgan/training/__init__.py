"""Training: the training loop, checkpoints, model selection and multi-device strategies."""
