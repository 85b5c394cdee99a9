"""Judging in the grader: inputs, comparisons, checks against the reference, item scores, feedback."""
