"""Reference solutions the grader compares student submissions against."""
