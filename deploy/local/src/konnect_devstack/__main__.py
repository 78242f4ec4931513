"""`python -m konnect_devstack up|down|status|infra-up|infra-down|logs` — what `make up` / `make down` run."""

import argparse
import sys
import time

from konnect_devstack import paths
from konnect_devstack.demo import Seeder, print_erp_credentials, print_logins, register_demo_erp_clients
from konnect_devstack.infra import LocalInfra
from konnect_devstack.profiles import profile_named
from konnect_devstack.stack import DOMAIN_SERVICES, GATEWAY, WEB, Stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m konnect_devstack")
    parser.add_argument("action", choices=["up", "down", "reset", "status", "infra-up", "infra-down", "logs"])
    parser.add_argument("--profile", default="dev", choices=["dev", "test", "bench"])
    args = parser.parse_args(argv)
    profile = profile_named(args.profile)
    infra = LocalInfra(profile)
    started = time.monotonic()

    if args.action in ("up", "infra-up"):
        endpoints = infra.up()
        print(f"infrastructure ready in {time.monotonic() - started:.1f}s")
        if args.action == "up":
            stack = Stack(profile, endpoints)
            stack.up()
            print(f"all services ready in {time.monotonic() - started:.1f}s")
            Seeder(stack.url(GATEWAY), endpoints.mailpit_api).run()
            erp_credentials = register_demo_erp_clients(endpoints.kafka)
            print(f"demo organisations seeded in {time.monotonic() - started:.1f}s")
        print_addresses(profile, infra, with_services=args.action == "up")
        if args.action == "up":
            print_logins()
            print_erp_credentials(erp_credentials, endpoints.kafka_bootstrap)
    elif args.action == "down":
        Stack(profile, infra.endpoints).down()
        infra.down()
        print("stopped")
    elif args.action == "reset":
        Stack(profile, infra.endpoints).down()
        infra.down()
        infra.wipe()
        print("stopped and deleted the local data")
    elif args.action == "infra-down":
        infra.down()
    elif args.action == "status":
        stack = Stack(profile, infra.endpoints)
        for spec in [WEB, GATEWAY, *DOMAIN_SERVICES]:
            pid = stack.process(spec).pid
            print(f"{spec.name:14} {'running pid ' + str(pid) if pid else 'stopped'}  {stack.url(spec)}")
        for name, part in [("postgres", infra.postgres), ("kafka", infra.kafka), ("s3", infra.s3),
                           ("mailpit", infra.mailpit)]:
            print(f"{name:14} {'running' if part.running() else 'stopped'}")
    elif args.action == "logs":
        print(paths.log_dir(profile.name))
    return 0


def print_addresses(profile, infra: LocalInfra, *, with_services: bool) -> None:  # type: ignore[no-untyped-def]
    e = infra.endpoints
    print("\nKonnect is running:")
    if with_services:
        print(f"  Web portal      http://127.0.0.1:{profile.web_port}   (log in with a demo login below)")
        print(f"  API gateway     http://127.0.0.1:{profile.gateway_port}   (OpenAPI: /openapi.json, docs: /docs)")
    print(f"  Kafka           {e.kafka_bootstrap}  SASL_PLAINTEXT SCRAM-SHA-512, admin {e.kafka_admin_user} / "
          f"{e.kafka_admin_password} (services: user <service>, password dev-kafka-<service>)")
    print(f"  PostgreSQL      postgresql://{e.postgres_user}@127.0.0.1:{e.postgres_port}/<konnect_service>")
    print(f"  S3 (versitygw)  http://{e.s3_endpoint}  key={e.s3_access_key} secret={e.s3_secret_key}")
    print(f"  Mail (mailpit)  SMTP 127.0.0.1:{e.smtp_port}, API {e.mailpit_api}/api/v1/messages")
    print(f"  Logs            {paths.log_dir(profile.name)}")


if __name__ == "__main__":
    sys.exit(main())
