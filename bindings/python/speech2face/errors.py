"""Exceptions raised by the bindings."""


class S2FError(Exception):
    """A libspeech2face call failed.

    Attributes:
        status: the numeric ``s2f_status`` code (e.g. 3).
        name: its name as spelled in the C header (e.g. ``"S2F_ERR_IO"``).
        message: the library's detailed message for the failing call.
    """

    def __init__(self, status, name, message):
        self.status = int(status)
        self.name = name
        self.message = message
        super().__init__(f"{name}: {message}" if message else name)
