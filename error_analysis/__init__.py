"""Error analysis: every false and missed trigger of saved predictions, with its sentence and its category."""
