"""Create every topic of the contract catalogue (and the dead-letter topics): the deploy step, as auto-create is off.

    python -m konnect_kit.topics --bootstrap kafka:9092 [--replication-factor 3]

Runs as the cluster admin principal (`--username`, default admin; password from KONNECT_KAFKA_PASSWORD).
"""

import argparse
import asyncio
import sys

from konnect_contracts.topics import all_topic_specs

from konnect_kit.kafka import add_connection_arguments, connection_from_arguments, ensure_topics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m konnect_kit.topics", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_connection_arguments(parser)
    parser.add_argument("--replication-factor", type=int, default=1)
    args = parser.parse_args(argv)
    topics = [(t.name, t.partitions, dict(t.configs)) for t in all_topic_specs()]
    created = asyncio.run(ensure_topics(connection_from_arguments(args), topics,
                                        replication_factor=args.replication_factor))
    print(f"created {len(created)} topic(s): {', '.join(created) or 'none (all existed)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
