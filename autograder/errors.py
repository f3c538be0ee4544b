"""The one exception type the commands raise for bad input: a message plus what to do about it."""


class UserError(Exception):
    """Bad input or state the instructor can fix; the CLI prints it without a traceback and exits non-zero."""

    def __init__(self, message, hint=""):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self):
        return f"{self.message}\n  what to do: {self.hint}" if self.hint else self.message
