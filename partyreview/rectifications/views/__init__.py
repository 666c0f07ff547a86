"""Rectification pages: ``detail`` (shared by every role), ``staff`` (review and manage) and ``branch``
(what a branch secretary or assignee does)."""
