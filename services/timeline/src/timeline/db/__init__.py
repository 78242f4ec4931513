"""Timeline persistence: tables, migrations and the query modules the service layer calls."""

from sqlalchemy import Row

__all__ = ["Row"]  # the row type service-layer code passes around (it imports no SQLAlchemy itself)
