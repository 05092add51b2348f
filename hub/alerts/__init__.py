"""Hotlist hits on cameras the agency may see, delivered in real time, and
the officer's verification of each against its source."""
