"""What people read: the Gradescope report, the feedback page, the class summary and the gradebook."""
