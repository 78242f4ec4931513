"""GET /me answered from the gateway's memory never shows what has changed: directory edits, own edits,
logouts (also through another gateway instance), and a dead event feed all reach the parent at once or
within the feed's confirmation window."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
from e2e_world import bearer, build_world, client_ip, logged_in, new_id, put
from gateway.main import create_app
from gateway.settings import Settings
from konnect_contracts.topics import all_topic_specs
from konnect_devstack.pytest_plugin import eventually, running_app
from konnect_devstack.stack import DOMAIN_SERVICES
from konnect_kit.kafka import KafkaConnection, ensure_topics

FEED_CHECK, FEED_STALENESS = 0.2, 1.0  # generous: a loaded CI machine must not miss a beat


@contextlib.asynccontextmanager
async def another_gateway(stack, kafka: KafkaConnection) -> AsyncIterator[tuple[httpx.AsyncClient, object]]:
    """A second gateway instance (in this process, so the test can look at its cache) on the same services."""
    # In-process clients come from 127.0.0.1, which stands in for the load balancer (client_ip() headers).
    settings = Settings(environment="test", kafka_bootstrap_servers=kafka.bootstrap_servers,
                        kafka_username=kafka.username or "", kafka_password=kafka.password or "",
                        trusted_proxies=["127.0.0.1"],
                        access_feed_check_seconds=FEED_CHECK, access_feed_max_staleness_seconds=FEED_STALENESS,
                        **{f"{spec.name}_url": stack.url(spec) for spec in DOMAIN_SERVICES})
    app = create_app(settings)
    async with running_app(app) as client:
        # Until its event feed has confirmed it is current, an instance answers nothing from memory.
        await eventually(lambda: app.state.profile_cache.fresh_until > 0, timeout=30)
        yield client, app.state.profile_cache


async def me(gateway: httpx.AsyncClient, tokens: dict) -> httpx.Response:
    return await gateway.get("/api/v1/me", headers=bearer(tokens))


async def shows(gateway: httpx.AsyncClient, tokens: dict, predicate) -> bool:  # type: ignore[no-untyped-def]
    response = await me(gateway, tokens)
    return response.status_code == 200 and predicate(response.json())


def child_ids(body: dict) -> set[str]:
    return {c["child_id"] for c in body["children"]}


async def test_directory_changes_reach_me_although_it_is_answered_from_memory(gateway, mailpit):
    w = await build_world(gateway)
    eva = await logged_in(gateway, mailpit, w.parents["eva"][1])
    first = await me(gateway, eva)
    assert child_ids(first.json()) == {w.children["noor"], w.children["daan"]}
    assert (await me(gateway, eva)).json() == first.json()  # the same answer, now from memory

    # A new baby: the ERP adds a child to the family (an admin change, not the parent's own write).
    baby = new_id()
    await put(gateway, f"/admin/directory/children/{baby}",
              {"organisation_id": w.org, "family_id": w.families["devries"], "first_name": "Sem",
               "last_name": "devries", "birth_date": "2026-03-01"})
    await eventually(lambda: shows(gateway, eva, lambda b: baby in child_ids(b)), timeout=5)

    # The group is renamed: every answer that shows it is dropped.
    await put(gateway, f"/admin/directory/groups/{w.groups['dolfijnen']}",
              {"organisation_id": w.org, "location_id": w.location, "name": "Zeehonden", "care_type": "day_care"})
    await eventually(lambda: shows(gateway, eva, lambda b: "Zeehonden" in str(b["children"])), timeout=5)

    # Daan turns out to belong to the other family: he leaves Eva's /me (never shown to a family not his).
    await put(gateway, f"/admin/directory/children/{w.children['daan']}",
              {"organisation_id": w.org, "family_id": w.families["bakker"], "first_name": "Daan",
               "last_name": "bakker", "birth_date": "2022-04-01"})
    await eventually(lambda: shows(gateway, eva, lambda b: w.children["daan"] not in child_ids(b)), timeout=5)


async def test_own_edits_and_logout_show_at_the_very_next_call(gateway, mailpit):
    w = await build_world(gateway)
    eva = await logged_in(gateway, mailpit, w.parents["eva"][1])
    assert (await me(gateway, eva)).json()["account"]["display_name"] == "Eva"
    await me(gateway, eva)
    edited = await gateway.patch("/api/v1/account", json={"display_name": "Eva de Vries"}, headers=bearer(eva))
    assert edited.status_code == 200
    assert (await me(gateway, eva)).json()["account"]["display_name"] == "Eva de Vries"  # no waiting
    assert (await gateway.post("/api/v1/auth/logout", headers=bearer(eva))).status_code == 200
    assert (await me(gateway, eva)).status_code == 401


async def test_another_gateway_instance_drops_its_answers_on_the_events(stack, infra, gateway, mailpit):
    w = await build_world(gateway)
    eva_email = w.parents["eva"][1]
    phone = await logged_in(gateway, mailpit, eva_email)
    async with another_gateway(stack, infra.endpoints.kafka_as("gateway")) as (second, cache):
        laptop = (await second.post("/api/v1/auth/login", json={"email": eva_email, "password": "a good long password"},
                                    headers=client_ip())).json()
        assert (await me(second, laptop)).status_code == 200
        hits = cache.hits
        assert (await me(second, laptop)).status_code == 200
        assert cache.hits == hits + 1  # really answered from memory

        # Edited through the first instance: the second learns it from the AccountChanged event.
        edited = await gateway.patch("/api/v1/account", json={"display_name": "E. de Vries"}, headers=bearer(phone))
        assert edited.status_code == 200
        await eventually(lambda: shows(second, laptop, lambda b: b["account"]["display_name"] == "E. de Vries"),
                         timeout=5)

        # "Log out everywhere" from the phone, through the first instance: the laptop's session ends on the
        # second instance too, from the SessionsEnded event.
        assert (await me(second, laptop)).status_code == 200
        assert (await gateway.post("/api/v1/auth/logout-all", headers=bearer(phone))).status_code == 200

        async def laptop_refused() -> bool:
            return (await me(second, laptop)).status_code == 401

        await eventually(laptop_refused, timeout=5)


async def test_nothing_is_answered_from_memory_while_the_event_feed_is_down(stack, gateway, mailpit, private_kafka):
    """The second instance follows a broker of its own, which never carries identity's events: its memory
    stays as it is while that broker is up, and is abandoned within the staleness bound once it stops."""
    await ensure_topics(private_kafka.connection, [(s.name, s.partitions) for s in all_topic_specs()])
    w = await build_world(gateway)
    eva = await logged_in(gateway, mailpit, w.parents["eva"][1])
    async with another_gateway(stack, private_kafka.connection) as (second, cache):
        assert (await me(second, eva)).json()["account"]["display_name"] == "Eva"
        edited = await gateway.patch("/api/v1/account", json={"display_name": "Eva Feed"}, headers=bearer(eva))
        assert edited.status_code == 200
        await asyncio.sleep(FEED_STALENESS * 3)
        # Control: the feed is current (as far as it knows), so the remembered answer is still given.
        assert (await me(second, eva)).json()["account"]["display_name"] == "Eva"
        await private_kafka.stop()
        try:
            await eventually(lambda: shows(second, eva, lambda b: b["account"]["display_name"] == "Eva Feed"),
                             timeout=FEED_STALENESS * 4 + 10 * FEED_CHECK)
            hits = cache.hits
            assert (await me(second, eva)).status_code == 200
            assert cache.hits == hits  # every call goes to identity now
            await eventually(lambda: len(cache) == 0, timeout=5)  # and the memory is emptied at the next beat
        finally:
            await private_kafka.start()


async def test_a_parent_never_gets_another_sessions_answer(gateway, mailpit):
    w = await build_world(gateway)
    eva = await logged_in(gateway, mailpit, w.parents["eva"][1])
    ilse = await logged_in(gateway, mailpit, w.parents["ilse"][1])
    for _ in range(2):
        assert child_ids((await me(gateway, eva)).json()) == {w.children["noor"], w.children["daan"]}
        assert child_ids((await me(gateway, ilse)).json()) == {w.children["mila"]}


async def test_a_logged_out_token_is_refused_on_every_route_also_by_an_instance_started_later(
        stack, infra, gateway, mailpit):
    """Identity checks sessions itself; other services do not. The gateway refuses an ended session's still
    unexpired access token everywhere, and an instance started after the logout knows it from the log."""
    w = await build_world(gateway)
    eva_email = w.parents["eva"][1]
    phone = await logged_in(gateway, mailpit, eva_email)
    laptop = (await gateway.post("/api/v1/auth/login", json={"email": eva_email, "password": "a good long password"},
                                 headers=client_ip())).json()
    settings_page = "/api/v1/notification-settings"  # served by notifications, which keeps no sessions
    assert (await gateway.get(settings_page, headers=bearer(phone))).status_code == 200
    assert (await gateway.post("/api/v1/auth/logout", headers=bearer(phone))).status_code == 200

    async def refused(client: httpx.AsyncClient) -> bool:
        response = await client.get(settings_page, headers=bearer(phone))
        return response.status_code == 401 and response.json()["error"]["code"] == "session_ended"

    await eventually(lambda: refused(gateway), timeout=5)
    assert (await gateway.get(settings_page, headers=bearer(laptop))).status_code == 200
    async with another_gateway(stack, infra.endpoints.kafka_as("gateway")) as (later, _):
        assert await refused(later)
        assert (await later.get(settings_page, headers=bearer(laptop))).status_code == 200
        assert (await me(later, laptop)).status_code == 200
