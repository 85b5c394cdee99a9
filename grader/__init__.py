"""Autograding harness: grades student submissions in a sandbox and writes Gradescope reports."""
