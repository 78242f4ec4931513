"""Process-wide runtime tuning every service applies once at start-up (garbage collector, FastAPI telemetry)."""

import gc

from fastapi.telemetry import TelemetryConfig

# FastAPI's native OpenTelemetry, off in every app (services and the gateway): no exporter is configured, yet it
# asked the global providers (and so os.environ) on every request, ~20 us of a trivial route's ~110 (cProfile,
# bench/PROFILE-read-paths.md round 6).
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}

# Young-generation collections every 50k container allocations instead of CPython's 700, and the
# oldest generation rarely. Objects are still freed by reference counting at once; only cycle
# detection runs less often. Why: decoding a batch of 2,000 events allocates so many objects that
# the default thresholds ran full collections over the whole heap (aiokafka's prefetched records
# included) again and again: bench/kit_overhead.py, 25k → 36k events/s with the same code.
GC_THRESHOLDS = (50_000, 20, 10)


def tune_gc() -> None:
    """Freeze what start-up created (imports, app, models: never garbage) and raise the thresholds."""
    gc.collect()
    gc.freeze()  # out of every later collection's scan
    gc.set_threshold(*GC_THRESHOLDS)
