"""Benchmark: planning's parent reads at an organisation of 200 children against one of 2,000, alternately.

The issue's bound is "2,000 children must not be slower than 200 by more than 20%". `read_paths.py` compares the
big twin with the demo's De Regenboog, whose groups hold one or two children: for the availability screen, which
counts the places taken in the child's group, that compares a group of 20 with a group of 2. Here a second twin
(`MEDIUM`: De Regenboog again under other ids) gets `big_organisation.py`'s data at a tenth of the size: 200
children in 10 groups of 20 (its four demo groups included, as in the big one, where 2,000 children fill 104
groups of 19-20). The twin Anne's planning reads (agenda, day detail, availability, request overview) are then
measured at both, alternately (medium, big, big, medium, ... per path), by wrk at 16 connections; big / medium is
printed per path with each organisation's runs. Only planning's database is filled at both, so only its reads are
compared here.

    .venv/bin/python bench/organisation_size.py [--rounds 3] [--seconds 5]   # a fresh bench stack
    .venv/bin/python bench/organisation_size.py --running   # the bench stack read_paths.py left (its data kept)
"""

import argparse
import asyncio
import shutil

from big_organisation import load as load_big_organisation
from big_organisation import planning_dsn
from gateway_me import describe, fresh_demo_stack, measurer
from konnect_devstack.demo import TWIN_REGENBOOG, DemoWorld, Seeder
from read_paths import WARM_UP_SECONDS, combined, login, parent_reads, running_demo_stack

MEDIUM = DemoWorld(prefix="twin200:", email_domain="twin200.konnect.nl", organisation_keys=("regenboog",),
                   name_suffix=" (200 kinderen)")
PLANNING_READS = ("agenda, 4 weeks", "day detail", "availability", "request overview")
TARGET_BIG_SLOWER = 0.20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2, help="pairs of runs per organisation and path")
    parser.add_argument("--requests", type=int, default=2000, help="per path, Python load only")
    parser.add_argument("--running", action="store_true", help="the running bench stack, left running")
    args = parser.parse_args()
    generator = "wrk" if shutil.which("wrk") else "python"
    stack, gateway, _ = running_demo_stack() if args.running else fresh_demo_stack()
    worlds = {"200 children": MEDIUM, "2,000 children": TWIN_REGENBOOG}
    try:
        for name, world in worlds.items():
            Seeder(gateway, stack.infra.mailpit_api, world).run()  # idempotent
            size = (200, 6) if world is MEDIUM else (2000, 100)
            loaded = asyncio.run(load_big_organisation(planning_dsn(), world=world, children=size[0], groups=size[1]))
            print(f"{name}: {loaded or 'loaded before'}")
        headers = {name: login(gateway, world) for name, world in worlds.items()}
        reads = {name: dict(parent_reads(gateway, "-", world)) for name, world in worlds.items()}
        measure = measurer(generator, args)
        warm_up = measurer(generator, argparse.Namespace(**{**vars(args), "seconds": WARM_UP_SECONDS,
                                                            "requests": args.requests // 4}))
        results: dict[str, dict[str, list[tuple[float, float, float]]]] = {}
        for path in PLANNING_READS:
            for name in worlds:
                warm_up(reads[name][path], headers[name])
            runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in worlds}
            order = list(worlds)
            for _ in range(args.rounds):
                for name in [*order, *reversed(order)]:  # medium, big, big, medium: drift cancels out
                    runs[name].append(measure(reads[name][path], headers[name]))
            results[path] = runs
    finally:
        if not args.running:
            stack.down()
    print(f"organisation_size: load by {generator}, {args.concurrency} connections, {args.seconds} s per run, "
          f"{2 * args.rounds} runs per organisation and path, alternately; the twin Anne's reads")
    slower = []
    for path, runs in results.items():
        for name, measured in runs.items():
            print(describe(f"{path}, {name}", *combined(measured)) + "   runs: " +
                  ", ".join(f"{rate:,.0f}" for rate, _, _ in measured))
        medium, big = (combined(runs[name])[0] for name in worlds)
        print(f"    big / medium req/s: {big / medium:.2f}")
        if big / medium < 1 - TARGET_BIG_SLOWER:
            slower.append(path)
    print(f"  target: 2,000 children not slower than 200 by more than {TARGET_BIG_SLOWER:.0%}: "
          f"{'met' if not slower else 'NOT met on ' + ', '.join(slower)}")


if __name__ == "__main__":
    main()
