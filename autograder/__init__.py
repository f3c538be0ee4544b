"""The instructor side of the course: nbgrader configuration and the grading commands."""
