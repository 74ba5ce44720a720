"""A store created by an older version upgrades in place without losing data."""

from alembic import command
from sqlalchemy import create_engine, inspect, text

from onemap import settings
from store.db import MIGRATIONS, _alembic_config, get_engine


def test_upgrade_from_0001_keeps_data(data_dir):
    url = settings.database_url()
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg = _alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("INSERT INTO documents (title, short_name, genre, filename, sha256, imported_at) "
                          "VALUES ('清单', '清单', '整改清单', '', '', '2024-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO tasks (uid, document_id, position, level, ref, title, body, target, "
                          "deadline_text, ongoing, deadline_inherited, category, group_name, part, acceptance_text, "
                          "acceptance_note, archived, created_at) VALUES ('清单|main|1', 1, 0, 'problem', '清单第1项', "
                          "'甲', '', '', '', false, false, '水', '', 'main', '', '', false, '2024-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO status_events (task_id, at, from_status, to_status, actor, actor_unit, note, "
                          "sample, recorded_at) VALUES (1, '2024-02-01 00:00:00', '未启动', '整改中', '甲', '', '', false, "
                          "'2024-02-01 00:00:00')"))
        conn.execute(text("INSERT INTO status_events (task_id, at, from_status, to_status, actor, actor_unit, note, "
                          "sample, recorded_at) VALUES (1, '2024-03-01 00:00:00', '整改中', '申请销号', '乙', '', '说明', "
                          "false, '2024-03-01 00:00:00')"))
    engine.dispose()
    assert (MIGRATIONS / "versions" / "0002_inspections_and_findings.py").exists()
    upgraded = get_engine(url)  # migrates to head on open
    names = set(inspect(upgraded).get_table_names())
    assert {"inspections", "inspection_findings"} <= names
    assert "inspection_id" in {c["name"] for c in inspect(upgraded).get_columns("status_events")}
    with upgraded.connect() as conn:
        rows = conn.execute(text("SELECT to_status, seq FROM status_events ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("整改中", 1), ("申请销号", 2)]  # numbered in their order
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0010"
    assert {"users", "user_sessions", "audit_log"} <= names  # 0004: accounts and the audit trail
    assert {"document_targets", "target_sites"} <= names  # 0005: the documents' 主要目标 indicators
    assert {"ref_layers", "ref_features"} <= names  # 0006: reference layers
    assert "water_samples" in names  # 0007: 断面水质
    assert "sso_subject" in {c["name"] for c in inspect(upgraded).get_columns("users")}  # 0010: 统一身份认证
    assert "api_tokens" in names  # 0009: tokens for desktop GIS (OGC API – Features)
    uniques = inspect(upgraded).get_unique_constraints("water_samples")
    assert [u["column_names"] for u in uniques] == [["site_id", "sampled_at", "factor"]]
    assert "actor_user" in {c["name"] for c in inspect(upgraded).get_columns("status_events")}
