"""`python tests/lifeline.py PID COMMAND...`: run COMMAND for as long as process PID lives.

conftest.start_for_the_run starts the live site's host and receiver through it, with the pid
of the process that owns the test run: they are stopped at the run's end by that process, and
if it is killed before it can do so (kill -9, a closed terminal), they stop by themselves within
a second instead of holding their ports until the machine restarts.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from approdo.atomic_files import writer_gone  # whether a process has ended


def main() -> int:
    owner, command = int(sys.argv[1]), sys.argv[2:]
    child = subprocess.Popen(command)   # same stdout, same process group
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    while child.poll() is None:
        if writer_gone(str(owner)):
            child.terminate()
            break
        time.sleep(0.5)  # polling the owner: no event tells a process that a non-parent ended
    return child.wait()


if __name__ == "__main__":
    sys.exit(main())
