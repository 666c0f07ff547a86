"""Rectification forms: ``staff`` (manage and decide) and ``branch`` (report, submit, ask for time)."""
