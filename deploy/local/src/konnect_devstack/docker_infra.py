"""Opt-in infrastructure on a Docker engine through testcontainers (TEST_INFRA=docker).

Same InfraEndpoints as the local processes, so tests do not know which one runs underneath, with one
exception: the Kafka container runs without SASL and ACLs (testcontainers' KafkaContainer owns the listener
setup, and SCRAM users must be written when the storage is formatted, which its start script does not offer).
Every client then connects with PLAINTEXT (`kafka_security_protocol`), and the tests that prove the broker's
authentication and ACLs skip themselves. Not run on this project's machines (no Docker engine).
"""

from konnect_devstack.infra import MEDIA_BUCKET, InfraEndpoints, prepare


def docker_engine_available() -> bool:
    """A real ping: this kind of machine has the docker client but no daemon."""
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


class DockerInfra:
    def __init__(self) -> None:
        from testcontainers.kafka import KafkaContainer
        from testcontainers.minio import MinioContainer
        from testcontainers.postgres import PostgresContainer

        self.postgres = PostgresContainer("postgres:16-alpine", username="konnect", password="konnect",
                                          dbname="postgres")
        self.kafka = KafkaContainer("confluentinc/cp-kafka:7.7.1").with_kraft()
        self.kafka.with_env("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
        self.minio = MinioContainer()
        from testcontainers.core.container import DockerContainer

        self.mailpit = DockerContainer("axllent/mailpit:v1.21").with_exposed_ports(1025, 8025)

    def up(self) -> InfraEndpoints:
        for container in (self.postgres, self.kafka, self.minio, self.mailpit):
            container.start()
        endpoints = self.endpoints
        prepare(endpoints)
        return endpoints

    @property
    def endpoints(self) -> InfraEndpoints:
        minio = self.minio.get_config()
        return InfraEndpoints(
            postgres_host=self.postgres.get_container_host_ip(),
            postgres_port=int(self.postgres.get_exposed_port(5432)),
            postgres_user="konnect", postgres_password="konnect",
            kafka_bootstrap=self.kafka.get_bootstrap_server(),
            s3_endpoint=minio["endpoint"], s3_access_key=minio["access_key"], s3_secret_key=minio["secret_key"],
            smtp_host=self.mailpit.get_container_host_ip(),
            smtp_port=int(self.mailpit.get_exposed_port(1025)),
            mailpit_api=f"http://{self.mailpit.get_container_host_ip()}:{self.mailpit.get_exposed_port(8025)}",
            kafka_admin_user="", kafka_admin_password="", kafka_security_protocol="PLAINTEXT",
        )

    def down(self) -> None:
        for container in (self.mailpit, self.minio, self.kafka, self.postgres):
            container.stop()


__all__ = ["MEDIA_BUCKET", "DockerInfra", "docker_engine_available"]
