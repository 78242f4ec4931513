"""HTTP unit of work: the transaction commits before the answer, so a failed commit is never reported as success."""

from fastapi import APIRouter, FastAPI
from konnect_devstack.pytest_plugin import running_app
from konnect_kit.db import driver
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


# -- driver-level statements on the unit of work's own connection (konnect_kit.db.driver) ----------------------

@router.post("/driver-notes/{label}")
async def add_note_driver_level(label: str, session: SessionDep, fail_after: bool = False) -> dict[str, str]:
    await (await driver(session)).execute("INSERT INTO notes (label) VALUES ($1)", label)
    # The same transaction: SQLAlchemy's next statement sees the row the driver-level one wrote.
    seen = await session.scalar(text("SELECT count(*) FROM notes WHERE label = :label"), {"label": label})
    if fail_after:
        raise RuntimeError("the use case failed after writing")
    return {"saved": label, "seen": str(seen)}


def _app(infra, database: str, name: str) -> FastAPI:
    settings = ServiceSettings(database_url=database, **infra.endpoints.kafka_settings(), service_name=name)
    return create_service_app(settings, title="uow", routers=[router])


async def test_a_driver_level_statement_commits_and_rolls_back_with_the_unit_of_work(infra, fresh_database):
    app = _app(infra, fresh_database, "kit-uow-test-3")
    async with running_app(app) as client:
        async with app.state.kit.database.transaction() as session:
            await session.execute(text("CREATE TABLE notes (label text)"))
        saved = await client.post("/driver-notes/kept")
        assert saved.status_code == 200 and saved.json() == {"saved": "kept", "seen": "1"}
        failed = await client.post("/driver-notes/lost", params={"fail_after": "true"})
        assert failed.status_code == 500
        async with app.state.kit.database.transaction() as session:
            # Begun by `driver` (no SQLAlchemy statement came first), the transaction was still the session's.
            assert (await session.execute(text("SELECT label FROM notes"))).scalars().all() == ["kept"]
        pool = app.state.kit.database.engine.pool
        assert pool.checkedout() == 0  # every connection went back (rolled back, no transaction left open)


async def test_driver_level_errors_are_answered_like_sqlalchemy_ones(infra, fresh_database):
    app = _app(infra, fresh_database, "kit-uow-test-4")
    async with running_app(app) as client:
        async with app.state.kit.database.transaction() as session:
            await session.execute(text("CREATE TABLE notes (label text UNIQUE)"))
        assert (await client.post("/driver-notes/a")).status_code == 200
        duplicate = await client.post("/driver-notes/a")
        assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "conflict"
        nul = await client.post("/driver-notes/a%00b")
        assert nul.status_code == 422 and nul.json()["error"]["code"] == "invalid_value"
        async with app.state.kit.database.transaction() as session:
            assert await session.scalar(text("SELECT count(*) FROM notes")) == 1
