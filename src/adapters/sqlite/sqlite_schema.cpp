#include "adapters/sqlite/sqlite_schema.hpp"

#include <array>
#include <string_view>

#include "adapters/sqlite/sqlite_db.hpp"

namespace arca::sqlite {
namespace {

constexpr std::array<std::string_view, 2> kMigrations{R"sql(
CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
  created_at    INTEGER NOT NULL
);

CREATE TABLE files (
  -- An explicit integer key keeps row numbers stable (VACUUM may renumber
  -- implicit rowids), and the full-text index refers to rows by it.
  seq                   INTEGER PRIMARY KEY,
  id                    TEXT NOT NULL UNIQUE,
  name                  TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
  extension             TEXT NOT NULL,
  folder                TEXT NOT NULL,
  project               TEXT NOT NULL,
  owner_id              TEXT NOT NULL REFERENCES users (id),
  size                  INTEGER NOT NULL CHECK (size >= 0),
  content_type          TEXT NOT NULL,
  declared_content_type TEXT NOT NULL,
  sha256                TEXT NOT NULL CHECK (length(sha256) = 64),
  description           TEXT NOT NULL,
  tags                  TEXT NOT NULL,
  status                TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  state                 TEXT NOT NULL CHECK (state IN ('pending', 'ready', 'processing', 'deleting', 'missing', 'quarantined')),
  bucket                TEXT NOT NULL,
  object_key            TEXT NOT NULL UNIQUE,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL
);
-- One index per listing shape: (scope, sort key, id) so each sort/cursor is a range scan.
CREATE INDEX files_owner_created ON files (owner_id, created_at, id);
CREATE INDEX files_owner_name    ON files (owner_id, name, id);
CREATE INDEX files_owner_size    ON files (owner_id, size, id);
CREATE INDEX files_created       ON files (created_at, id);
CREATE INDEX files_name          ON files (name, id);
CREATE INDEX files_size          ON files (size, id);
CREATE INDEX files_owner_type    ON files (owner_id, content_type, created_at);
CREATE INDEX files_owner_ext     ON files (owner_id, extension, created_at);
CREATE INDEX files_owner_folder  ON files (owner_id, folder, created_at);
CREATE INDEX files_project       ON files (project, created_at);
CREATE INDEX files_state         ON files (state, updated_at);

CREATE TABLE file_tags (
  tag     TEXT NOT NULL,
  file_id TEXT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
  PRIMARY KEY (tag, file_id)
) WITHOUT ROWID;
CREATE INDEX file_tags_file ON file_tags (file_id);

-- Ids of deleted files, so a redelivered upload event never brings one back.
CREATE TABLE tombstones (
  file_id    TEXT PRIMARY KEY,
  deleted_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Words in names and descriptions; accents folded so "relatorio" finds "relatório".
CREATE VIRTUAL TABLE files_fts USING fts5 (
  name, description, content = 'files', content_rowid = 'seq',
  tokenize = 'unicode61 remove_diacritics 2'
);
-- Any part of a name, three characters or more (the trigram tokenizer), for partial names.
CREATE VIRTUAL TABLE files_name_trgm USING fts5 (
  name, content = 'files', content_rowid = 'seq', tokenize = 'trigram'
);
CREATE TRIGGER files_fts_insert AFTER INSERT ON files BEGIN
  INSERT INTO files_fts (rowid, name, description) VALUES (new.seq, new.name, new.description);
  INSERT INTO files_name_trgm (rowid, name) VALUES (new.seq, new.name);
END;
CREATE TRIGGER files_fts_delete AFTER DELETE ON files BEGIN
  INSERT INTO files_fts (files_fts, rowid, name, description) VALUES ('delete', old.seq, old.name, old.description);
  INSERT INTO files_name_trgm (files_name_trgm, rowid, name) VALUES ('delete', old.seq, old.name);
END;
CREATE TRIGGER files_fts_update AFTER UPDATE OF name, description ON files BEGIN
  INSERT INTO files_fts (files_fts, rowid, name, description) VALUES ('delete', old.seq, old.name, old.description);
  INSERT INTO files_fts (rowid, name, description) VALUES (new.seq, new.name, new.description);
  INSERT INTO files_name_trgm (files_name_trgm, rowid, name) VALUES ('delete', old.seq, old.name);
  INSERT INTO files_name_trgm (rowid, name) VALUES (new.seq, new.name);
END;
)sql",
                                                               R"sql(
-- The reconciler's passes (arca reconcile, the reconcile worker role), for /metrics.
CREATE TABLE reconcile_runs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  finished_at INTEGER NOT NULL,
  summary     TEXT NOT NULL
);
)sql"};

}  // namespace

Status MigrateMetadata(sqlite3* db) {
  ARCA_RETURN_IF_ERROR(
      Exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)"));
  for (size_t i = 0; i < kMigrations.size(); ++i) {
    const auto version = static_cast<std::int64_t>(i + 1);
    Transaction tx(db);
    ARCA_RETURN_IF_ERROR(tx.status());
    Stmt check(db, "SELECT 1 FROM schema_migrations WHERE version = ?");
    check.Bind(1, version);
    if (check.Step()) continue;  // applied earlier; the transaction rolls back harmlessly
    ARCA_RETURN_IF_ERROR(StatusFromStmt(check, "read schema version"));
    ARCA_RETURN_IF_ERROR(Exec(db, kMigrations[i]));
    Stmt mark(db, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, strftime('%s','now'))");
    mark.Bind(1, version);
    mark.Step();
    ARCA_RETURN_IF_ERROR(StatusFromStmt(mark, "record schema version"));
    ARCA_RETURN_IF_ERROR(tx.Commit());
  }
  return Status::Ok();
}

}  // namespace arca::sqlite
