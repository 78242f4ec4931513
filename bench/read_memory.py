"""Benchmark: does any process grow while parents read? RSS after 1,000 reads and after 100,000 (issue 10).

Every parent read of `read_paths.py` in turn (wrk, 16 connections) on the demo stack: first until 1,000 reads in all
(warm: connections pooled, statements prepared, every code path imported), then on until 100,000. Prints each
process's resident memory at both points and the growth; target: within 10% (a leak of even 1 KiB per read
would show as ~100 MB).

    .venv/bin/python bench/read_memory.py [--reads 100000] [--running]
"""

import argparse
import subprocess
from pathlib import Path

import httpx
from gateway_me import fresh_demo_stack
from konnect_devstack.stack import DOMAIN_SERVICES, GATEWAY, Stack
from read_paths import long_conversation, parent_reads, running_demo_stack

TARGET_GROWTH = 0.10
WARM_READS = 1_000


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def memory(stack: Stack) -> dict[str, int]:
    sizes = {}
    for spec in [*DOMAIN_SERVICES, GATEWAY]:
        pid = stack.process(spec).pid
        if pid is not None:
            sizes[spec.name] = rss_kib(pid)
    return sizes


def read_for(url: str, headers: dict[str, str], seconds: float) -> int:
    """wrk on one URL: how many reads it made (all must answer 2xx)."""
    argv = ["wrk", "-t1", "-c16", f"-d{seconds}s", url]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    assert "Non-2xx" not in out, out
    return int(next(line.split()[0] for line in out.splitlines() if "requests in" in line))


def warm_up(reads: list[tuple[str, str]], headers: dict[str, str]) -> int:
    """WARM_READS reads spread over every path (each path warm: pooled connections, prepared statements)."""
    with httpx.Client(headers=headers, timeout=30) as client:
        for n in range(WARM_READS):
            response = client.get(reads[n % len(reads)][1])
            assert response.status_code == 200, response.text
    return WARM_READS


def read_until(total: int, done: int, reads: list[tuple[str, str]], headers: dict[str, str]) -> int:
    """Round robin over the paths, 1 s each, until `total` reads are done."""
    while done < total:
        for _, url in reads:
            done += read_for(url, headers, 1)
            if done >= total:
                break
    return done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reads", type=int, default=100_000)
    parser.add_argument("--running", action="store_true", help="measure the bench stack already running")
    args = parser.parse_args()
    stack, gateway, tokens = running_demo_stack() if args.running else fresh_demo_stack()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    try:
        reads = parent_reads(gateway, long_conversation(gateway, headers))
        done = warm_up(reads, headers)
        warm = memory(stack)
        done = read_until(args.reads, done, reads, headers)
        after = memory(stack)
    finally:
        if not args.running:
            stack.down()
    print(f"read_memory: RSS after {WARM_READS:,} reads and after {done:,} (every parent read in turn, wrk 16 "
          "connections)")
    worst = 0.0
    for name, before in warm.items():
        growth = after[name] / before - 1
        worst = max(worst, growth)
        print(f"  {name:14} {before / 1024:7.1f} MiB -> {after[name] / 1024:7.1f} MiB   {growth * 100:+5.1f}%")
    print(f"  target: every process within {TARGET_GROWTH:.0%}: {'met' if worst <= TARGET_GROWTH else 'NOT met'} "
          f"(largest growth {worst * 100:+.1f}%)")


if __name__ == "__main__":
    main()
