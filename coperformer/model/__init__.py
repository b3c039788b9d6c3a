"""The model adapter (torch, music21): corpus, dataset, networks, training, export, the runtime
(the only module that knows the model is TorchScript), the model store and evaluation."""
