"""Initial schema: element uploads and objects, campaigns and versions, runs."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "element_uploads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("origin", sa.String(400), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created_utc", _TS, nullable=False),
        sa.Column("n_objects", sa.Integer, nullable=False),
        sa.Column("n_skipped", sa.Integer, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
    )
    op.create_table(
        "element_objects",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("upload_id", sa.Integer, sa.ForeignKey("element_uploads.id"), nullable=False),
        sa.Column("norad_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("n_sets", sa.Integer, nullable=False),
        sa.Column("newest_epoch_utc", _TS, nullable=False),
        sa.Column("epochs_utc", sa.JSON, nullable=False),
    )
    op.create_index("ix_element_objects_upload_id", "element_objects", ["upload_id"])
    op.create_index("ix_element_objects_norad_id", "element_objects", ["norad_id"])
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_utc", _TS, nullable=False),
    )
    op.create_table(
        "campaign_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("toml", sa.Text, nullable=False),
        sa.Column("note", sa.String(400), nullable=False),
        sa.Column("created_utc", _TS, nullable=False),
        sa.UniqueConstraint("campaign_id", "number"),
    )
    op.create_index("ix_campaign_versions_campaign_id", "campaign_versions", ["campaign_id"])
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("campaign_versions.id"), nullable=True),
        sa.Column("inputs", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("progress", sa.String(400), nullable=False),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("warnings", sa.JSON, nullable=False),
        sa.Column("created_utc", _TS, nullable=False),
        sa.Column("started_utc", _TS, nullable=True),
        sa.Column("finished_utc", _TS, nullable=True),
        sa.Column("duration_s", sa.Float, nullable=True),
    )
    op.create_index("ix_runs_version_id", "runs", ["version_id"])


def downgrade() -> None:
    """Drop every table."""
    for table in ("runs", "campaign_versions", "campaigns", "element_objects", "element_uploads"):
        op.drop_table(table)
