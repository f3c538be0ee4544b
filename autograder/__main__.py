"""`python -m autograder ...` runs the backprop-grade command line."""
import sys

from .cli import main

sys.exit(main())
