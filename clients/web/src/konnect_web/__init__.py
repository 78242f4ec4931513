"""Konnect web portal: server-rendered pages (FastAPI + Jinja2 + htmx) over the gateway's public API."""
