"""The build lock: one build per output folder, for as long as any of its workers lives.

An exclusive ``flock`` on ``<out>/.build.lock``. Each worker inherits the locked file (the
same open file, ``pass_fds``), so the lock is held until the build *and* every worker it
started have exited: a rebuild cannot start beside a worker that outlived a killed build.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from asl.errors import BuildError


class BuildLock:
    def __init__(self, path):
        self.path = Path(path)
        self.fd: int | None = None

    def acquire(self) -> "BuildLock":
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise BuildError(f"another build is running on {self.path.parent} (lock {self.path}, "
                             "held by the build or one of its notebook workers); wait for it to "
                             "finish") from None
        self.fd = fd
        return self

    def release(self) -> None:
        """Close the file: the lock goes once no worker holds it open either."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
