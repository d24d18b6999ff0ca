"""Fixtures for the assessment app."""
