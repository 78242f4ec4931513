"""HTTP unit of work: the transaction commits before the answer, so a failed commit is never reported as success."""

from fastapi import APIRouter
from konnect_devstack.pytest_plugin import running_app
from konnect_kit.service import SessionDep, create_service_app
from konnect_kit.settings import ServiceSettings
from sqlalchemy import text

router = APIRouter()


@router.post("/notes/{label}")
async def add_note(label: str, session: SessionDep) -> dict[str, str]:
    await session.execute(text("INSERT INTO notes (label) VALUES (:label)"), {"label": label})
    return {"saved": label}


async def test_a_write_that_fails_at_commit_is_answered_with_an_error(infra, fresh_database):
    settings = ServiceSettings(database_url=fresh_database, **infra.endpoints.kafka_settings(),
                               service_name="kit-uow-test")
    app = create_service_app(settings, title="uow", routers=[router])
    async with running_app(app) as client:
        async with app.state.kit.database.transaction() as session:
            # Checked only at COMMIT, i.e. after the route function has returned.
            await session.execute(text("CREATE TABLE notes (label text, CONSTRAINT one_label UNIQUE (label) "
                                       "DEFERRABLE INITIALLY DEFERRED)"))
        first = await client.post("/notes/a")
        assert first.status_code == 200
        duplicate = await client.post("/notes/a")
        assert duplicate.status_code == 409
        assert duplicate.json()["error"]["code"] == "conflict"
        async with app.state.kit.database.transaction() as session:
            assert await session.scalar(text("SELECT count(*) FROM notes")) == 1


async def test_text_the_database_cannot_store_is_a_4xx(infra, fresh_database):
    settings = ServiceSettings(database_url=fresh_database, **infra.endpoints.kafka_settings(),
                               service_name="kit-uow-test-2")
    app = create_service_app(settings, title="uow", routers=[router])
    async with running_app(app) as client:
        async with app.state.kit.database.transaction() as session:
            await session.execute(text("CREATE TABLE notes (label text)"))
        response = await client.post("/notes/a%00b")
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_value"
