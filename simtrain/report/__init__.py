"""After-action reports."""
