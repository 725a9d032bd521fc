"""Rubrics shipped with simtrain (data)."""
