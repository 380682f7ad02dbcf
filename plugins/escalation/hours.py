"""Support hours: are staff in now, and if not, when are they back."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from supportbot.settings import Settings

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class SupportHours(Settings):
    timezone: str = Field("UTC", description="IANA time zone of the support team, e.g. Europe/Berlin.")
    days: list[str] = Field(default_factory=lambda: DAYS[:5], description="Days staff work (mon..sun).")
    start: time = Field(time(9, 0), description="Start of the working day, local time.")
    end: time = Field(time(17, 0), description="End of the working day, local time.")

    @field_validator("days")
    @classmethod
    def _known_days(cls, days: list[str]) -> list[str]:
        bad = [d for d in days if d.lower()[:3] not in DAYS]
        if bad:
            raise ValueError(f"unknown day(s) {bad}; use mon, tue, wed, thu, fri, sat, sun")
        return [d.lower()[:3] for d in days]

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        ZoneInfo(zone)  # raises for an unknown zone, which pydantic reports with the key
        return zone

    def is_open(self, when: datetime) -> bool:
        local = when.astimezone(ZoneInfo(self.timezone))
        return DAYS[local.weekday()] in self.days and self.start <= local.time() < self.end

    def next_opening(self, when: datetime) -> datetime:
        """The next moment staff are in, in the team's time zone (``when`` itself if open)."""
        local = when.astimezone(ZoneInfo(self.timezone))
        if self.is_open(local):
            return local
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            opening = datetime.combine(day, self.start, tzinfo=local.tzinfo)
            if DAYS[opening.weekday()] in self.days and opening > local:
                return opening
        raise ValueError("support hours name no working day")
