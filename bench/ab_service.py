"""Benchmark: one service's code before and after a change, alternately, on the same running bench stack.

The machines here drift by 20-50% within minutes, so two runs of bench/read_paths.py minutes apart cannot tell a
10% change from noise. This restarts one service's process alternately from an older tree (a git worktree:
`git worktree add /tmp/base <commit>`; its service, kit and contracts sources go first on PYTHONPATH, the rest of
the environment is the running process's) and from this tree, and measures one parent read through the gateway
in each: wrk's req/s and p99 (16 connections, 5 s after 2 s of warm-up), the service's own CPU per request
and PostgreSQL's (every process of the stack's cluster; from /proc). It prints whether both answered the same
bytes (signed URLs differ by time; a `generated_at` is left out of the comparison). `--service gateway` restarts
the gateway the same way.

    .venv/bin/python -m konnect_devstack up --profile bench
    .venv/bin/python bench/ab_service.py --base /tmp/base --service planning --path "/api/v1/agenda" [--rounds 3]
        [--email ouder.1.hendriks.0752@bench.konnect.nl --organisation <its organisation id>]

Leaves the service running this tree's code, in the stack's pid file (`konnect_devstack down` stops it).
"""

import argparse
import os
import re
import subprocess
import time
import uuid
from pathlib import Path

import httpx
from konnect_devstack import paths
from konnect_devstack.demo import DEMO_PASSWORD, REGENBOOG
from konnect_devstack.profiles import bench_profile

ROOT = Path(__file__).resolve().parents[1]
# When an answer says it was made (day detail): the one part two runs cannot share.
_GENERATED_AT = re.compile(rb'"generated_at":"[^"]*"')


def listening_pid(port: int) -> int | None:
    out = subprocess.run(["ss", "-ltnp"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if f"127.0.0.1:{port} " in line and (found := re.search(r"pid=(\d+)", line)):
            return int(found.group(1))
    return None


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def postgres_ticks(postmaster: int) -> int:
    """CPU of the stack's PostgreSQL: the postmaster's children (backends, WAL writer, ...), as they are now."""
    children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
    total = 0
    for child in children:
        try:
            total += cpu_ticks(int(child))
        except OSError:  # a backend that ended meanwhile
            pass
    return total


def restart(service: str, port: int, environment: dict[str, str], base: Path | None) -> int:
    """The service's process from `base`'s sources (None: this tree's), ready; its pid."""
    if (old := listening_pid(port)) is not None:
        os.kill(old, 15)
        while listening_pid(port) is not None:
            time.sleep(0.2)
    env = dict(environment)
    if base is not None:
        env["PYTHONPATH"] = ":".join(str(base / part) for part in (
            f"services/{service}/src", "shared/kit/src", "shared/contracts/src"))
    log = open(f"/tmp/ab_service.{service}.log", "w")  # the child process keeps it open
    subprocess.Popen([str(ROOT / ".venv/bin/python"), "-m", service], cwd=ROOT, env=env, stdout=log,
                     stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                pid = listening_pid(port) or 0
                # In the stack's own pid file: `konnect_devstack down` stops this process like the one it replaced
                # (else the next `up` found the port taken).
                (paths.run_dir(bench_profile().name) / f"{service}.pid").write_text(str(pid))
                return pid
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{service} did not become ready (/tmp/ab_service.{service}.log)")


def measure(url: str, token: str, pid: int, postmaster: int) -> tuple[float, str, int, int, bytes]:
    auth = ["-H", f"Authorization: Bearer {token}"]
    body = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30).content
    subprocess.run(["wrk", "-t2", "-c16", "-d2s", *auth, url], capture_output=True, check=True)
    # The pool's connections stay open across the run, so the backends counted before are those counted after.
    before, database_before = cpu_ticks(pid), postgres_ticks(postmaster)
    out = subprocess.run(["wrk", "-t2", "-c16", "-d5s", "--latency", *auth, url], capture_output=True, text=True,
                         check=True).stdout
    spent, database_spent = cpu_ticks(pid) - before, postgres_ticks(postmaster) - database_before
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"\s99%\s+(\S+)", out).group(1)
    per_request = 1_000_000 / (os.sysconf("SC_CLK_TCK") * requests)
    return rate, p99, int(spent * per_request), int(database_spent * per_request), body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=Path, required=True, help="the older tree (a git worktree)")
    parser.add_argument("--service", required=True, choices=sorted([*bench_profile().service_ports, "gateway"]))
    parser.add_argument("--path", required=True, help="a parent read through the gateway, e.g. /api/v1/inbox")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--email", default="anne.dejong@demo.konnect.nl", help="whose read (demo password)")
    parser.add_argument("--organisation", default=REGENBOOG, help="the login's organisation id")
    args = parser.parse_args()
    profile = bench_profile()
    port = profile.gateway_port if args.service == "gateway" else profile.service_ports[args.service]
    gateway = f"http://127.0.0.1:{profile.gateway_port}"
    token = httpx.post(f"{gateway}/api/v1/auth/login", timeout=30, headers={"X-Forwarded-For": str(uuid.uuid4())},
                       json={"email": args.email, "password": DEMO_PASSWORD,
                             "organisation_id": args.organisation}).json()["access_token"]
    postmaster = listening_pid(profile.postgres_port)
    if postmaster is None:
        raise SystemExit("PostgreSQL is not running: start the bench stack first")
    running = listening_pid(port)
    if running is None:
        raise SystemExit(f"{args.service} is not running: start the bench stack first")
    environment = dict(line.split("=", 1) for line in Path(f"/proc/{running}/environ").read_text().split("\0")
                       if "=" in line and not line.startswith("PYTHONPATH="))
    print(f"{args.service}, GET {args.path}: base {args.base} against {ROOT}, wrk 16 connections, 5 s")
    for round_ in range(1, args.rounds + 1):
        bodies = []
        for name, tree in (("base", args.base), ("this", None)):
            pid = restart(args.service, port, environment, tree)
            rate, p99, cpu_us, database_us, body = measure(gateway + args.path, token, pid, postmaster)
            bodies.append(body)
            print(f"  round {round_} {name}: {rate:8.1f} req/s  p99 {p99:>8s}  "
                  f"{args.service} CPU {cpu_us:5d} us/request, PostgreSQL {database_us:5d}")
        same = bodies[0] == bodies[1]
        print("  same answer" if same else "  same answer but for the time it was made" if
              _GENERATED_AT.sub(b"", bodies[0]) == _GENERATED_AT.sub(b"", bodies[1]) else "  answers differ")
    restart(args.service, port, environment, None)


if __name__ == "__main__":
    main()
