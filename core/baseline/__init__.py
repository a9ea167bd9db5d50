"""Baselines for the TCN: a simple classifier on per-video gait parameters (scikit-learn, imported lazily)."""
