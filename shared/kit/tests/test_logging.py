"""Structured logs: every line is JSON with the service and the correlation id of the flow."""

import json
import logging

from konnect_kit.correlation import correlation_id_var
from konnect_kit.logging import JsonFormatter


def test_log_line_is_json_with_correlation_id_and_extras():
    formatter = JsonFormatter("planning")
    token = correlation_id_var.set("abc123")
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "evaluated %s", ("line-1",), None)
        record.request_id = "r-9"
        line = json.loads(formatter.format(record))
    finally:
        correlation_id_var.reset(token)
    assert line["service"] == "planning"
    assert line["correlation_id"] == "abc123"
    assert line["msg"] == "evaluated line-1"
    assert line["request_id"] == "r-9"

