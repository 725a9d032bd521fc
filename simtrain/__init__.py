"""simtrain: simulation-based training exercises for anti-trafficking practitioners."""

__version__ = "0.1.0"
