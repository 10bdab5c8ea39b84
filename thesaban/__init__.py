"""Thesaban: the participatory digital municipality platform."""

__version__ = "0.1.0"
