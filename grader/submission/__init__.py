"""Reading what a student handed in, never running it: files, notebooks, names, cells."""
