"""What the scripts that drive `swiftc-infer serve` share (serve_check.py, check_deploy.py,
loadtest/loadtest.py): starting the server on a free port, and a list of named checks."""
import re
import subprocess
import sys
import time


def start_server(binary, arguments, env=None, timeout=120):
    """Starts `binary serve ARGUMENTS` and waits for its `listening on http://HOST:PORT` line,
    and its `listening on grpc://HOST:PORT` line unless ARGUMENTS has --no-grpc. ARGUMENTS
    should give --http-port 0; --grpc-port 0 is added when it has neither --grpc-port nor
    --no-grpc, so that servers started side by side never collide. Returns (process, port),
    with the gRPC port as `process.grpc_port` (None without gRPC); exits with the server's
    output if it does not come up within `timeout` seconds."""
    grpc = "--no-grpc" not in arguments
    if grpc and "--grpc-port" not in arguments:
        arguments = [*arguments, "--grpc-port", "0"]
    process = subprocess.Popen([binary, "serve", *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    deadline = time.time() + timeout
    lines = []
    ports = {}
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        match = re.match(r"listening on (http|grpc)://[^:]+:(\d+)", line)
        if match:
            ports[match.group(1)] = int(match.group(2))
        if "http" in ports and (not grpc or "grpc" in ports):
            process.grpc_port = ports.get("grpc")
            return process, ports["http"]
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
