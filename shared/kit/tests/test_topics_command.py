"""The deploy step that creates the topic catalogue: idempotent, and nothing of the catalogue is missing after it."""


async def test_topics_command_creates_the_whole_catalogue_once(infra):
    import asyncio

    from aiokafka.admin import AIOKafkaAdminClient
    from konnect_contracts.topics import all_topic_specs
    from konnect_kit.topics import main

    assert await asyncio.to_thread(main, ["--bootstrap", infra.endpoints.kafka_bootstrap,
                                                 "--password", infra.endpoints.kafka_admin_password]) == 0  # idempotent
    admin = AIOKafkaAdminClient(**infra.endpoints.kafka.client_kwargs())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
    finally:
        await admin.close()
    assert {spec.name for spec in all_topic_specs()} <= existing
