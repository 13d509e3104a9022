"""What the scripts that drive `swiftc-infer serve` share (serve_check.py, check_deploy.py,
loadtest/loadtest.py): starting the server on a free port, and a list of named checks."""
import re
import subprocess
import sys
import time


def start_server(binary, arguments, env=None, timeout=120):
    """Starts `binary serve ARGUMENTS` (which should include --http-port 0) and waits for its
    `listening on http://HOST:PORT` line. Returns (process, port); exits with the server's
    output if it does not come up within `timeout` seconds."""
    process = subprocess.Popen([binary, "serve", *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    deadline = time.time() + timeout
    lines = []
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        match = re.match(r"listening on http://[^:]+:(\d+)", line)
        if match:
            return process, int(match.group(1))
    process.kill()
    sys.exit(f"the server did not start: {binary} serve {' '.join(arguments)}\n" + "\n".join(lines) + process.stderr.read())


class Checks:
    """`checks(condition, what)` prints ok/FAIL per check; `finish()` prints the summary and
    returns the exit status (0 only when every check held)."""

    def __init__(self, name):
        self.name = name
        self.failures = []

    def __call__(self, condition, what):
        print(("ok    " if condition else "FAIL  ") + what, flush=True)
        if not condition:
            self.failures.append(what)

    def finish(self):
        if self.failures:
            print(f"{self.name}: {len(self.failures)} check(s) failed", file=sys.stderr)
            return 1
        print(f"{self.name}: all checks passed")
        return 0
