"""Command line: `python -m erp_client --client-id ID [--bootstrap HOST:PORT] [--reject-child UUID] ...`.

The Kafka password comes from ERP_KAFKA_PASSWORD (or --password); the platform operator hands it over with the
client id when registering the client for its organisation(s).
"""

import argparse
import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Sequence
from uuid import UUID

from erp_client.client import Config, ErpClient
from erp_client.rule import DEFAULT_REASON, Rule


def parse_args(argv: Sequence[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(prog="erp_client", description="Example ERP: evaluates Konnect requests.")
    parser.add_argument("--client-id", default=os.environ.get("ERP_CLIENT_ID", "example"),
                        help="ERP client id as registered (Kafka user erp.<id>; topics erp.<id>.*)")
    parser.add_argument("--password", default=os.environ.get("ERP_KAFKA_PASSWORD", ""),
                        help="Kafka password (default: ERP_KAFKA_PASSWORD)")
    parser.add_argument("--bootstrap", default="127.0.0.1:9092", help="Kafka bootstrap servers")
    parser.add_argument("--security-protocol", default="SASL_PLAINTEXT",
                        choices=["SASL_PLAINTEXT", "SASL_SSL", "PLAINTEXT"],
                        help="SASL_SSL against a production cluster (PLAINTEXT: a broker without authentication)")
    parser.add_argument("--group", default="", help="consumer group, must start with erp.<client-id>. "
                                                    "(default erp.<client-id>.evaluator; its offsets are the progress)")
    parser.add_argument("--topic-prefix", default=os.environ.get("ERP_TOPIC_PREFIX", ""),
                        help="the Konnect deployment's topic prefix, if the operator gave one (e.g. staging.)")
    parser.add_argument("--evaluator-id", default="example-erp", help="evaluator_id in every ChildEvaluated")
    parser.add_argument("--reject-child", action="append", type=UUID, default=[], metavar="UUID",
                        help="reject every line of this child (repeatable)")
    parser.add_argument("--reject-weekday", action="append", type=int, default=[], metavar="N",
                        choices=range(7), help="reject lines touching this weekday, 0 = Monday … 6 = Sunday "
                                               "(repeatable)")
    parser.add_argument("--reason", default=DEFAULT_REASON, help="reason given with a rejection (parents see it)")
    parser.add_argument("--organisation", action="append", type=UUID, default=[], metavar="UUID",
                        help="only evaluate requests of this organisation (repeatable; default: all)")
    parser.add_argument("--from-latest", action="store_true",
                        help="a new group starts at the end of the topic instead of the oldest event")
    args = parser.parse_args(argv)
    rule = Rule(frozenset(args.reject_child), frozenset(args.reject_weekday), args.reason)
    return Config(client_id=args.client_id, password=args.password, bootstrap_servers=args.bootstrap,
                  security_protocol=args.security_protocol, group_id=args.group, evaluator_id=args.evaluator_id,
                  topic_prefix=args.topic_prefix,
                  rule=rule,
                  organisations=frozenset(args.organisation),
                  auto_offset_reset="latest" if args.from_latest else "earliest")


async def run(config: Config) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Graceful stop: the batch in hand is evaluated and committed first.
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows event loops
            loop.add_signal_handler(sig, stop.set)
    await ErpClient(config).run(stop)


def main(argv: Sequence[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    main()
