"""msbridge: port deep-learning code between MindSpore and PyTorch."""
