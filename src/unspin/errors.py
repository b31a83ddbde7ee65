"""Errors a user can act on, each with the exit code the CLI returns for it."""

from __future__ import annotations

EXIT_OK = 0
EXIT_SPUN = 1  # `unspin check` found the text spun (like grep: a finding, not a failure)
EXIT_USAGE = 2
EXIT_INPUT = 3  # unreadable, empty, binary or undecodable input
EXIT_DATA = 4  # shipped artifacts missing, corrupt or from another version
EXIT_INTERRUPTED = 130


class UnspinError(Exception):
    """Base class: a one-line message meant for the user, plus an exit code."""

    exit_code = EXIT_USAGE


class InputError(UnspinError):
    exit_code = EXIT_INPUT


class DataError(UnspinError):
    exit_code = EXIT_DATA
