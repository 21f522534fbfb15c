"""Worker output in Greengrass's ``file.py:LINE,message`` form, one whole line per record.

Greengrass turns every ``write`` on stdout into its own log record, so ``print("a", "b")``
arrives in pieces. Here ``print`` output is gathered until its newline and each line becomes
one record tagged with the file and line of the code that printed it. Records go to file
descriptor 1 as ``LEVEL file.py:LINE,message``; continuation lines of a multi-line message
start with a tab, so the core can keep them with their record.
"""

import logging
import os
import sys
import threading

_lock = threading.Lock()


def emit(level, where, message):
    """Write one record: ``level`` a name like INFO, ``where`` ``file.py:LINE``."""
    text = "{} {},{}\n".format(level, where, message.replace("\n", "\n\t"))
    data = text.encode("utf-8", "replace")
    with _lock:
        while data:
            data = data[os.write(1, data):]


class LineWriter(object):
    """A text stream for ``sys.stdout``/``sys.stderr`` that emits a record per complete line."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, level):
        self.level = level
        self._local = threading.local()  # each thread assembles its own lines

    def write(self, text):
        if not text:
            return 0
        local = self._local
        pending = getattr(local, "pending", "")
        if not pending:
            # Tag the line with the code that started it: the frame above this write(). There
            # is none when the interpreter itself writes (the traceback of an uncaught error).
            frame = sys._getframe(0).f_back
            local.where = "{}:{}".format(os.path.basename(frame.f_code.co_filename), frame.f_lineno) if frame else "runner"
        pending += text
        if "\n" in pending:
            *lines, pending = pending.split("\n")
            for line in lines:
                emit(self.level, local.where, line)
        local.pending = pending
        return len(text)

    def flush(self):
        pending = getattr(self._local, "pending", "")
        if pending:
            emit(self.level, self._local.where, pending)
            self._local.pending = ""

    def isatty(self):
        return False

    def writable(self):
        return True

    def fileno(self):
        return 1


class RecordHandler(logging.Handler):
    """Send ``logging`` records through :func:`emit`, keeping the caller's file and line."""

    def emit(self, record):
        try:
            message = record.getMessage()
            if record.exc_info:
                message += "\n" + logging.Formatter().formatException(record.exc_info)
            emit(record.levelname, "{}:{}".format(record.filename, record.lineno), message)
        except Exception:
            self.handleError(record)


def install(level_name):
    """Route print output and the root logger through the record format."""
    sys.stdout = LineWriter("INFO")
    sys.stderr = LineWriter("ERROR")
    root = logging.getLogger()
    root.handlers[:] = [RecordHandler()]
    root.setLevel(getattr(logging, (level_name or "INFO").upper(), logging.INFO))
