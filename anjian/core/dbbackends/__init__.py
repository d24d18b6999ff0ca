"""Database backends of Anjian: Django's own, adjusted where the embedded default must behave like production."""
