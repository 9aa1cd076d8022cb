"""Tests for minicreds: run ``python3 -m unittest`` from the repository root."""
