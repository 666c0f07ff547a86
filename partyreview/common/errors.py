"""Errors that services raise and views turn into messages."""


class ActionRefused(Exception):
    """An action the rules do not allow. The message is Chinese and safe to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleEdit(ActionRefused):
    """The object changed after the user loaded the form; saving would overwrite someone else's work."""
