"""Scenario files: safe YAML loading with positions, the model, validation and expressions."""
