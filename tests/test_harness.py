"""The test harness's own promises: processes started for a whole run do not outlive it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from conftest import ROOT


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A process that ended but was not yet waited for by its parent still has a pid.
    with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


def test_a_process_started_for_the_run_stops_when_the_runs_owner_is_killed(tmp_path):
    owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    pid_file = tmp_path / "child.pid"
    served = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "lifeline.py"), str(owner.pid), sys.executable, "-c",
         f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(600)"],
        start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline, "the command did not start"
            time.sleep(0.05)
        child = int(pid_file.read_text())
        assert alive(child) and served.poll() is None   # lives while the owner does
        owner.kill()
        owner.wait()
        deadline = time.monotonic() + 20
        while alive(child):
            assert time.monotonic() < deadline, "the command outlived the run's owner"
            time.sleep(0.05)
        served.wait(timeout=20)   # and the lifeline itself ends
    finally:
        owner.kill()
        served.kill()
        owner.wait()
        served.wait()
