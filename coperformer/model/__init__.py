"""The model: corpus, dataset, networks, training, export and runtime."""
