"""Grading a whole class: discovery, fingerprints for resume, worker pools, shards and merges."""
