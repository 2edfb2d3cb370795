"""inbound mail and holding pen

Revision ID: f3a9c1e5b706
Revises: e1d7b4c9f205
Create Date: 2026-11-26 20:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f3a9c1e5b706"
down_revision = "e1d7b4c9f205"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("raw_size", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("envelope_recipients", sa.JSON(), nullable=False),
        sa.Column("from_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=998), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "received",
                "accepted",
                "duplicate",
                "auto_reply",
                "read_receipt",
                "loop",
                "bounce_permanent",
                "bounce_delay",
                "held",
                "released",
                "discarded",
                "too_large",
                "error",
                name="inboundoutcome",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("tag", sa.String(length=32), nullable=True),
        sa.Column("object_id", sa.BigInteger(), nullable=True),
        sa.Column("suggested_tag", sa.String(length=32), nullable=True),
        sa.Column("suggested_object_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("attachment_names", sa.JSON(), nullable=False),
        sa.Column("outbound_message_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbound_message_id"],
            ["outbound_messages.id"],
            name=op.f("fk_inbound_messages_outbound_message_id_outbound_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_inbound_messages_resolved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_messages")),
    )
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbound_messages_message_id"), ["message_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inbound_messages_outbound_message_id"),
            ["outbound_message_id"],
            unique=False,
        )
        batch_op.create_index("ix_inbound_messages_outcome_id", ["outcome", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_inbound_messages_resolved_by_id"), ["resolved_by_id"], unique=False
        )

    op.create_table(
        "outbound_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbound_message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbound_message_id"],
            ["outbound_messages.id"],
            name=op.f("fk_outbound_attachments_outbound_message_id_outbound_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_attachments")),
    )
    with op.batch_alter_table("outbound_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbound_attachments_outbound_message_id"),
            ["outbound_message_id"],
            unique=False,
        )

    op.create_table(
        "inbound_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inbound_message_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("tag", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "received",
                "accepted",
                "duplicate",
                "auto_reply",
                "read_receipt",
                "loop",
                "bounce_permanent",
                "bounce_delay",
                "held",
                "released",
                "discarded",
                "too_large",
                "error",
                name="inboundoutcome",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inbound_message_id"],
            ["inbound_messages.id"],
            name=op.f("fk_inbound_deliveries_inbound_message_id_inbound_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_deliveries")),
        sa.UniqueConstraint(
            "message_id",
            "tag",
            "object_id",
            name=op.f("uq_inbound_deliveries_message_id_tag_object_id"),
        ),
    )
    with op.batch_alter_table("inbound_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbound_deliveries_inbound_message_id"),
            ["inbound_message_id"],
            unique=False,
        )

    op.create_table(
        "inbound_imap_seen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox", sa.String(length=255), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("inbound_message_id", sa.Integer(), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inbound_message_id"],
            ["inbound_messages.id"],
            name=op.f("fk_inbound_imap_seen_inbound_message_id_inbound_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_imap_seen")),
        sa.UniqueConstraint(
            "mailbox",
            "uidvalidity",
            "uid",
            name=op.f("uq_inbound_imap_seen_mailbox_uidvalidity_uid"),
        ),
    )
    with op.batch_alter_table("inbound_imap_seen", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbound_imap_seen_inbound_message_id"),
            ["inbound_message_id"],
            unique=False,
        )

    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "allowed_reply_domains", sa.String(length=500), server_default="", nullable=False
            )
        )


def downgrade():
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.drop_column("allowed_reply_domains")

    with op.batch_alter_table("inbound_imap_seen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_imap_seen_inbound_message_id"))

    op.drop_table("inbound_imap_seen")
    with op.batch_alter_table("inbound_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_deliveries_inbound_message_id"))

    op.drop_table("inbound_deliveries")
    with op.batch_alter_table("outbound_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbound_attachments_outbound_message_id"))

    op.drop_table("outbound_attachments")
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_messages_resolved_by_id"))
        batch_op.drop_index("ix_inbound_messages_outcome_id")
        batch_op.drop_index(batch_op.f("ix_inbound_messages_outbound_message_id"))
        batch_op.drop_index(batch_op.f("ix_inbound_messages_message_id"))

    op.drop_table("inbound_messages")
