"""Storage through SQLAlchemy: element-set uploads, campaigns with every TOML version, runs.

Nothing is overwritten: an upload, a campaign version or a run is inserted once; a run
records its inputs (campaign version, options), status, result, warnings and timings, so it
can be reproduced from what is stored. SQLite (default) runs in WAL mode with foreign keys
on; PostgreSQL works through the same models. The schema is created by Alembic migrations
bundled with the package (``stationplan/web/migrations``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

__all__ = [
    "Base",
    "Campaign",
    "CampaignVersion",
    "ElementObject",
    "ElementUpload",
    "Run",
    "make_engine",
    "migrate",
    "now_utc",
]


def now_utc() -> datetime:
    """The current time, UTC (stored naive-free as an aware datetime)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class ElementUpload(Base):
    """One uploaded or fetched element-set file: its bytes and parse summary."""

    __tablename__ = "element_uploads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(400))  # "upload" or the fetch URL
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_utc: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    n_objects: Mapped[int] = mapped_column(Integer)
    n_skipped: Mapped[int] = mapped_column(Integer)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)


class ElementObject(Base):
    """One object of an upload: NORAD id, name and the epochs of its element sets."""

    __tablename__ = "element_objects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("element_uploads.id"), index=True)
    norad_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(200))
    n_sets: Mapped[int] = mapped_column(Integer)
    newest_epoch_utc: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    epochs_utc: Mapped[list[str]] = mapped_column(JSON)


class Campaign(Base):
    """A campaign by name; its content lives in its versions."""

    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_utc: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)


class CampaignVersion(Base):
    """One version of a campaign's TOML (numbered from 1, never changed once stored)."""

    __tablename__ = "campaign_versions"
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    toml: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(400), default="")
    created_utc: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)


class Run(Base):
    """A plan, simulation or screening job: inputs, status, progress, result, timings."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # plan | simulate | screen
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign_versions.id"), index=True, nullable=True
    )
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    # queued | running | done | infeasible | failed
    progress: Mapped[str] = mapped_column(String(400), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_utc: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    started_utc: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_utc: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout.

    ``postgresql://`` URLs use psycopg 3.
    """
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (bundled migrations)."""
    from alembic import command
    from alembic.config import Config

    folder = resources.files("stationplan.web") / "migrations"
    with resources.as_file(folder) as path:
        config = Config()
        config.set_main_option("script_location", str(path))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


def session_factory(engine: Engine) -> sessionmaker[Any]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)
