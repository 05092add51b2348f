"""Retention: reads destroyed on time (the earliest of the state's limit, the
agency's and the camera owner's), holds that keep what an investigation or a
charged person's written request needs, and the record that proves each
destruction happened."""
