"""Presigned download URLs: byte for byte the URLs minio signs (pure logic: same inputs, same signature)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from konnect_kit.media.signing import DownloadSigner
from minio import Minio

# Keys as S3 takes them: minio refuses a "." or ".." path segment (our keys are ids, never such segments).
KEYS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=60).filter(
    lambda key: not {".", ".."} & set(key.split("/")))
MOMENTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


def both(endpoint: str = "127.0.0.1:7070", secure: bool = False, region: str = "us-east-1"):
    credentials = {"access_key": "konnect", "secret_key": "konnect-local-secret"}
    return (Minio(endpoint, secure=secure, region=region, **credentials),
            DownloadSigner(endpoint=endpoint, secure=secure, bucket="konnect-media", region=region, **credentials))


MINIO, SIGNER = both()  # one signer for every example: its per-second and per-day parts are reused, as in a feed


@settings(max_examples=300, deadline=None)
@given(key=KEYS, moment=MOMENTS, seconds=st.integers(1, 604_800), file_name=st.none() | KEYS)
def test_urls_are_the_ones_minio_signs(key: str, moment: datetime, seconds: int, file_name: str | None) -> None:
    headers = {"response-content-disposition": f'attachment; filename="{file_name}"'} if file_name else None
    for name in (f"org/photo/{key}", f"org/thumb/{key}"):  # two URLs in the same second, as a feed page signs
        expected = MINIO.presigned_get_object("konnect-media", name, expires=timedelta(seconds=seconds),
                                              request_date=moment, response_headers=headers)
        assert SIGNER.url(name, timedelta(seconds=seconds), now=moment, response_headers=headers) == expected


def test_the_days_signing_key_changes_at_midnight_utc_and_other_zones_sign_the_same_instant() -> None:
    minio, signer = both("media.example.org", secure=True, region="eu-west-1")
    for moment in (datetime(2026, 12, 1, 23, 59, 59, tzinfo=UTC), datetime(2026, 12, 2, 0, 0, tzinfo=UTC),
                   datetime(2026, 12, 2, 1, 30, tzinfo=timezone(timedelta(hours=2)))):
        assert signer.url("a/b", timedelta(minutes=5), now=moment) == minio.presigned_get_object(
            "konnect-media", "a/b", expires=timedelta(minutes=5), request_date=moment)


def test_lifetimes_outside_what_s3_accepts_are_refused() -> None:
    _, signer = both()
    for lifetime in (timedelta(0), timedelta(days=8)):
        with pytest.raises(ValueError):
            signer.url("a/b", lifetime)
