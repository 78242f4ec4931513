"""The big organisation's year of photo series, tags and diary entries in the timeline's database (COPY).

Beside `big_organisation.py`'s planning rows: the generated children get the directory rows identity's events
would have left in the timeline (loc_*), their photo consent, and a year of what their groups' staff post: a
series of four photos per group per opening day (each photo tagging one to three of the children there that
weekday) and a diary entry for about half of each child's care days. Some series are posted in the twin's own
groups (Sem's and Lotte's twins'), tagging only generated classmates: the twin family's own feed stays the
demo family's, so its reads differ from the demo's by the size of the tables and groups around them only.

    .venv/bin/python bench/big_timeline.py   # into the running bench profile (after big_organisation.py)
"""

import asyncio
import random
import secrets
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import asyncpg
from big_organisation import Generated, generated, service_dsn

_NS = uuid.UUID("5d0f2a9e-8c43-4b1e-9f6a-2b7c1d3e4f50")
CAPTIONS = ["Buiten spelen", "Knutselen met klei", "Voorlezen in de kring", "Dansen op muziek", "Bouwen met blokken",
            "Naar het park", "Verven", "Taart bakken", "Zandbak", "Waterspelletjes"]
DIARY = ["Goed gegeten en lekker geslapen.", "Vandaag veel buiten gespeeld, moe maar blij.",
         "Heeft mooi gespeeld met vriendjes.", "Wat huilerig na het ophalen van papa, daarna prima.",
         "Een uur geslapen, flesje helemaal leeg."]


def _id(name: str) -> uuid.UUID:
    return uuid.uuid5(_NS, name)


async def load(dsn: str, big: Generated, *, seed: int = 11, days: int = 365) -> dict[str, int]:
    """Adds the year to the timeline's database at `dsn` (idempotent: a second call finds it and does nothing)."""
    rnd = random.Random(seed)
    org = big.organisation_id
    staff = uuid.UUID(big.world.id("staff:sanne"))
    conn = await asyncpg.connect(dsn)
    try:
        if await conn.fetchval("SELECT 1 FROM loc_children WHERE child_id = $1", big.children[0].child_id):
            return {}
        now = datetime.now(UTC)
        groups: dict[uuid.UUID, list] = defaultdict(list)
        for child in big.children:
            groups[child.group_id].append(child)
        known_groups = {r["group_id"] for r in await conn.fetch("SELECT group_id FROM loc_groups")}
        loc_groups = [(g, kids[0].location_id, big.group_names.get(g, "Groep"), org, 1, False, now)
                      for g, kids in groups.items() if g not in known_groups]
        loc_children = [(c.child_id, c.family_id, c.first_name, org, 1, False, now) for c in big.children]
        loc_parents = [(a, f, org, 1, False, now) for f, accounts in big.parents.items() for a in accounts]
        loc_placements = [(c.placement_id, c.child_id, c.family_id, c.group_id, c.starts_on, None, org, 1, False, now)
                          for c in big.children]
        consents = [(c.child_id, org, rnd.random() < 0.9, now) for c in big.children]
        media, series, photos, tags, entries = [], [], [], [], []
        first = date.today() - timedelta(days=days)
        for n in range(days):
            day = first + timedelta(days=n)
            if day.weekday() >= 5:
                continue
            for group_id, kids in groups.items():
                present = [c for c in kids if day.weekday() in c.weekdays]
                if not present:
                    continue
                series_id = _id(f"series:{group_id}:{day}")
                posted = datetime.combine(day, datetime.min.time(), UTC) + timedelta(minutes=rnd.randint(540, 960))
                series.append((series_id, org, kids[0].location_id, group_id, rnd.choice(CAPTIONS), staff, None,
                               posted))
                for position in range(4):
                    photo_id, media_id = _id(f"photo:{series_id}:{position}"), _id(f"media:{series_id}:{position}")
                    media.append((media_id, org, f"{org}/timeline/{secrets.token_urlsafe(24)}", "attached",
                                  str(staff), posted, posted + timedelta(hours=1), "photo", "image/jpeg",
                                  rnd.randint(60_000, 400_000), 1280, 960, None, "ready"))
                    photos.append((photo_id, series_id, org, media_id, position, posted))
                    for child in rnd.sample(present, min(len(present), rnd.randint(1, 3))):
                        tags.append((photo_id, child.child_id, child.family_id, series_id, org, posted))
                for child in present:
                    if rnd.random() < 0.5:
                        written = posted + timedelta(minutes=rnd.randint(30, 180))
                        entries.append((_id(f"diary:{child.child_id}:{day}"), org, child.child_id, child.family_id,
                                        str(staff), "staff", "Sanne Bakker", rnd.choice(DIARY), written))
        started = time.monotonic()
        async with conn.transaction():
            for table, rows, columns in [
                ("loc_groups", loc_groups, ["group_id", "location_id", "name", "organisation_id", "version", "deleted",
                                            "updated_at"]),
                ("loc_children", loc_children, ["child_id", "family_id", "first_name", "organisation_id", "version",
                                                "deleted", "updated_at"]),
                ("loc_parents", loc_parents, ["account_id", "family_id", "organisation_id", "version", "deleted",
                                              "updated_at"]),
                ("loc_placements", loc_placements, ["placement_id", "child_id", "family_id", "group_id", "starts_on",
                                                    "ends_on", "organisation_id", "version", "deleted", "updated_at"]),
                ("photo_consents", consents, ["child_id", "organisation_id", "granted", "changed_at"]),
                ("timeline_media", media, ["media_id", "organisation_id", "media_base", "status", "uploaded_by",
                                           "created_at", "upload_expires_at", "kind", "original_type", "size_bytes",
                                           "width", "height", "duration_seconds", "processing"]),
                ("photo_series", series, ["series_id", "organisation_id", "location_id", "group_id", "caption",
                                          "posted_by_staff_id", "downloadable", "posted_at"]),
                ("photos", photos, ["photo_id", "series_id", "organisation_id", "media_id", "position", "posted_at"]),
                ("photo_tags", tags, ["photo_id", "child_id", "family_id", "series_id", "organisation_id",
                                      "posted_at"]),
                ("diary_entries", entries, ["entry_id", "organisation_id", "child_id", "family_id",
                                            "author_account_id", "author_role", "author_name", "body", "created_at"]),
            ]:
                await conn.copy_records_to_table(table, records=rows, columns=columns)
        await conn.execute("VACUUM ANALYZE")  # as a live organisation's tables are (see big_organisation.py)
        return {"series": len(series), "photos": len(photos), "tags": len(tags), "diary_entries": len(entries),
                "children": len(loc_children), "seconds": round(time.monotonic() - started, 1)}
    finally:
        await conn.close()


def main() -> None:
    big = asyncio.run(generated(service_dsn("planning")))
    print(asyncio.run(load(service_dsn("timeline"), big)))


if __name__ == "__main__":
    main()
