"""Fixtures come from ``candor.testing.personas`` (loaded by the project's root conftest)."""

from candor.testing.personas import PASSWORD

__all__ = ["PASSWORD"]
