"""Database schema (SQLAlchemy 2). Portable: no SQLite-only constructs, so the
same schema runs on PostgreSQL/PostGIS. Geometries are WGS84 (`store.geometry.Geometry`:
WKT text on SQLite, a PostGIS geometry with a GiST index on PostgreSQL) with the CRS they came
in (`source_crs`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from store.geometry import Geometry


class Base(DeclarativeBase):
    pass


class Meta(Base):
    """Key/value settings of this store (active region, demo flags)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Site(Base):
    __tablename__ = "sites"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    county_code: Mapped[str | None] = mapped_column(String(16), index=True)
    attrs: Mapped[dict] = mapped_column(JSON, default=dict)
    geom_wkt: Mapped[str] = mapped_column(Geometry)  # WKT text above; PostGIS geometry on PostgreSQL
    source_crs: Mapped[str] = mapped_column(String(32), default="EPSG:4326")
    source: Mapped[str] = mapped_column(Text, default="")
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(100), unique=True)
    genre: Mapped[str] = mapped_column(String(32))
    year: Mapped[int | None] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(300), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime)


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    place_code: Mapped[str] = mapped_column(String(16), index=True)
    aliases: Mapped[list] = mapped_column(JSON, default=list)


class Task(Base):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uid: Mapped[str] = mapped_column(String(200), unique=True)  # stable: document + number path
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    level: Mapped[str] = mapped_column(String(16))  # problem | measure | task | matter | sub
    number: Mapped[str | None] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    target: Mapped[str] = mapped_column(Text, default="")
    deadline_text: Mapped[str] = mapped_column(String(200), default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    ongoing: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline_inherited: Mapped[bool] = mapped_column(Boolean, default=False)
    category: Mapped[str] = mapped_column(String(32), default="综合", index=True)
    group_name: Mapped[str] = mapped_column(String(200), default="")
    part: Mapped[str] = mapped_column(String(16), default="main")
    acceptance_text: Mapped[str] = mapped_column(Text, default="")
    acceptance_note: Mapped[str] = mapped_column(String(200), default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    children: Mapped[list[Task]] = relationship(order_by="Task.position")


class TaskUnit(Base):
    __tablename__ = "task_units"
    __table_args__ = (UniqueConstraint("task_id", "unit_id", "role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # responsible | acceptance
    position: Mapped[int] = mapped_column(Integer, default=0)


class TaskSite(Base):
    __tablename__ = "task_sites"
    __table_args__ = (UniqueConstraint("task_id", "site_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    matched_text: Mapped[str] = mapped_column(String(200), default="")
    confidence: Mapped[float] = mapped_column(default=1.0)


class DocumentTarget(Base):
    """A document's 主要目标 indicator (PM2.5 ≤ 30 µg/m³ …): kept with the document, not a task
    (no status, no units). `place_codes` are the counties/zones its text names."""

    __tablename__ = "document_targets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    place_codes: Mapped[list] = mapped_column(JSON, default=list)


class TargetSite(Base):
    """A target linked to a site its text names (as task_sites for tasks)."""

    __tablename__ = "target_sites"
    __table_args__ = (UniqueConstraint("target_id", "site_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("document_targets.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    matched_text: Mapped[str] = mapped_column(String(200), default="")
    confidence: Mapped[float] = mapped_column(default=1.0)


class StatusEvent(Base):
    """Append-only: rows are never updated or deleted by the application."""

    __tablename__ = "status_events"
    __table_args__ = (UniqueConstraint("task_id", "seq", name="uq_status_events_task_seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    # 1, 2, 3 … per task: the unique (task_id, seq) makes a concurrent second writer fail
    # instead of appending an event computed from a state that is no longer current.
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100), default="")
    actor_unit: Mapped[str] = mapped_column(String(200), default="")
    # the signed-in account (user name) behind `actor`: separation of duties compares accounts, not names
    actor_user: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"), index=True, nullable=True)


class Attachment(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("status_events.id"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    stored_path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)


class Inspection(Base):
    """A field inspection trip (现场核查/回头看): when, who, which stops in which order."""

    __tablename__ = "inspections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(200))
    inspectors: Mapped[str] = mapped_column(String(300), default="")
    base_name: Mapped[str] = mapped_column(String(200), default="")
    stops: Mapped[list] = mapped_column(JSON, default=list)  # site ids in visiting order
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100), default="")


class Finding(Base):
    """What was found at a site during an inspection, for one of its tasks (or the site)."""

    __tablename__ = "inspection_findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True, nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    photos: Mapped[list] = mapped_column(JSON, default=list)  # [{filename, stored_path, sha256, size}]
    event_id: Mapped[int | None] = mapped_column(ForeignKey("status_events.id"), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class User(Base):
    """A local account. The password is kept only as an argon2 hash (onemap.accounts)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(200), default="")
    county_code: Mapped[str] = mapped_column(String(16), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change: Mapped[bool] = mapped_column(Boolean, default=True)  # initial or reset password
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed: Mapped[int] = mapped_column(Integer, default=0)  # consecutive failed sign-ins
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)  # built by `onemap demo`
    created_at: Mapped[datetime] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # the OpenID Connect provider's `sub` this account signs in as (onemap.sso); None: passwords only
    sso_subject: Mapped[str | None] = mapped_column(String(255), nullable=True, unique=True, index=True)


class UserSession(Base):
    """A signed-in browser: only the SHA-256 of its random token is stored."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)


class ApiToken(Base):
    """A user's token for desktop GIS clients (OGC API – Features): only its SHA-256 is stored;
    the clear token is shown once when it is made (onemap.tokens)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, to recognise it in a list
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AuditEntry(Base):
    """安全审计: append-only (the database refuses UPDATE and DELETE, see migration 0004)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(16), default="")
    unit: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(32), index=True)
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    client: Mapped[str] = mapped_column(String(100), default="")


class RefLayer(Base):
    """A reference layer (参考图层: 生态保护红线, 水源保护区, rivers, roads) the bureau holds. Drawn
    beneath the sites for orientation only: never linked to tasks, never counted with sites."""

    __tablename__ = "ref_layers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # a preset of domain.reflayers (style defaults)
    style: Mapped[dict] = mapped_column(JSON, default=dict)  # the preset's style with the user's overrides
    geometry_type: Mapped[str] = mapped_column(String(16))  # Polygon | LineString (the family)
    feature_count: Mapped[int] = mapped_column(Integer)
    source_file: Mapped[str] = mapped_column(String(300), default="")
    source_crs: Mapped[str] = mapped_column(String(64), default="EPSG:4326")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100), default="")

    features: Mapped[list[RefFeature]] = relationship(order_by="RefFeature.position", cascade="all, delete-orphan",
                                                      passive_deletes=True)


class RefFeature(Base):
    """One feature of a reference layer: WGS84 WKT, its name and the file's other attributes."""

    __tablename__ = "ref_features"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    layer_id: Mapped[int] = mapped_column(ForeignKey("ref_layers.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order in the file (1-based)
    name: Mapped[str] = mapped_column(String(200), default="")
    attrs: Mapped[dict] = mapped_column(JSON, default=dict)
    geom_wkt: Mapped[str] = mapped_column(Geometry)  # WKT text above; PostGIS geometry on PostgreSQL


class WaterSample(Base):
    """One measured value: a section or water source × sampling time × factor (断面水质).
    Long form on purpose: the import previews new/changed/unchanged per value, a factor's
    series is one indexed query, and every column has one type on SQLite and PostgreSQL
    (no JSON of mixed numbers and 'ND' to validate on restore). `value_text` is the cell as
    delivered ('0.52', 'ND', '<0.01'); `value` its number (None below detection);
    `detection_limit` the stated limit of a below-detection value. `sample`: generated demo
    data (示例数据), never a real measurement."""

    __tablename__ = "water_samples"
    __table_args__ = (UniqueConstraint("site_id", "sampled_at", "factor", name="uq_water_samples_site_time_factor"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    sampled_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    factor: Mapped[str] = mapped_column(String(32))  # the standard's name (domain.water_quality)
    value_text: Mapped[str] = mapped_column(String(32))
    value: Mapped[float | None] = mapped_column(nullable=True)
    below_detection: Mapped[bool] = mapped_column(Boolean, default=False)
    detection_limit: Mapped[float | None] = mapped_column(nullable=True)
    unit: Mapped[str] = mapped_column(String(16), default="")
    source_file: Mapped[str] = mapped_column(String(300), default="")
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    imported_by: Mapped[str] = mapped_column(String(100), default="")
