"""Every event type literal mapped to its payload class, found by walking ``konnect_contracts.events``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from konnect_contracts import events as _events_pkg
from konnect_contracts.envelope import Envelope, EventPayload


def _discover() -> dict[str, type[EventPayload]]:
    found: dict[str, type[EventPayload]] = {}
    for info in sorted(pkgutil.iter_modules(_events_pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_events_pkg.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, EventPayload):
                continue
            if "EVENT_TYPE" not in vars(cls):  # abstract bases of a stream
                continue
            event_type = cls.EVENT_TYPE
            other = found.get(event_type)
            if other is not None and other is not cls:
                raise RuntimeError(
                    f"event type {event_type!r} is defined twice: "
                    f"{other.__module__}.{other.__qualname__} and {cls.__module__}.{cls.__qualname__}"
                )
            found[event_type] = cls
    return dict(sorted(found.items()))


EVENT_TYPES: dict[str, type[EventPayload]] = _discover()


def parse_payload(envelope: Envelope) -> EventPayload | None:
    """The typed payload of ``envelope``, or None for an event type this version does not know."""
    cls = EVENT_TYPES.get(envelope.event_type)
    if cls is None:
        return None
    return cls.model_validate(envelope.payload)
