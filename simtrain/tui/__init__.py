"""Trainee terminal UI."""
