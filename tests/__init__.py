"""simtrain tests."""
