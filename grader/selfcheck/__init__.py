"""The self-check a student runs without the reference: the pack it reads, and the check itself."""
