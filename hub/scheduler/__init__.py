"""The one scheduler process (DESIGN.md section 3.8)."""
