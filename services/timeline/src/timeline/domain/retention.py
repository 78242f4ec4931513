"""Retention arithmetic (pure): when media of an organisation that keeps photos N months has expired."""

import calendar
from datetime import datetime


def months_before(moment: datetime, months: int) -> datetime:
    """The same wall-clock moment `months` calendar months earlier; the 31st becomes the month's last day."""
    if months < 0:
        raise ValueError("months must not be negative")
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def retention_cutoff(now: datetime, photo_retention_months: int | None) -> datetime | None:
    """Media posted before this moment is deleted; None: the organisation keeps its media."""
    return None if photo_retention_months is None else months_before(now, photo_retention_months)
