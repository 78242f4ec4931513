"""Credits tables (SQLAlchemy Core)."""

from sqlalchemy import MetaData

metadata = MetaData()
