"""Deterministic builders of every shipped artifact, from ../shared/data."""
