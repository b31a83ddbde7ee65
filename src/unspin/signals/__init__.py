"""Signals: each takes the tokens of a text and returns scored candidate spans."""
