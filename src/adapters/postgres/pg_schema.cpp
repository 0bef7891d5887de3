#include "adapters/postgres/pg_schema.hpp"

#include <array>

namespace arca::postgres {
namespace {

// Any constant will do; it only has to be the same in every Arca process.
constexpr const char* kLockKey = "7411002001";

constexpr std::array<std::string_view, 3> kMetadataMigrations{R"sql(
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
-- unaccent() is only STABLE (its dictionary could change); indexes need an
-- IMMUTABLE function, and we never change the dictionary.
CREATE OR REPLACE FUNCTION arca_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

CREATE TABLE users (
  id            uuid PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  is_admin      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL
);

CREATE TABLE files (
  id                    uuid PRIMARY KEY,
  name                  text COLLATE "C" NOT NULL CHECK (octet_length(name) BETWEEN 1 AND 255),
  extension             text COLLATE "C" NOT NULL,
  folder                text COLLATE "C" NOT NULL,
  project               text COLLATE "C" NOT NULL,
  owner_id              uuid NOT NULL REFERENCES users (id),
  size                  bigint NOT NULL CHECK (size >= 0),
  content_type          text COLLATE "C" NOT NULL,
  declared_content_type text NOT NULL,
  sha256                text NOT NULL CHECK (length(sha256) = 64),
  description           text NOT NULL,
  tags                  text[] NOT NULL DEFAULT '{}',
  status                text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  state                 text NOT NULL CHECK (state IN ('pending', 'ready', 'processing', 'deleting', 'missing', 'quarantined')),
  bucket                text NOT NULL,
  object_key            text NOT NULL UNIQUE,
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL,
  search                tsvector GENERATED ALWAYS AS
                          (to_tsvector('simple', arca_fold(name) || ' ' || arca_fold(description))) STORED
);
-- (scope, sort key, id): every sort and keyset cursor is one index range scan.
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
CREATE INDEX files_state         ON files (state, updated_at) WHERE state <> 'ready';
CREATE INDEX files_status        ON files (owner_id, status, created_at);
CREATE INDEX files_tags          ON files USING gin (tags);
CREATE INDEX files_search        ON files USING gin (search);
CREATE INDEX files_name_trgm     ON files USING gin (arca_fold(name) gin_trgm_ops);

-- Ids of deleted files, so a redelivered upload event never brings one back.
CREATE TABLE tombstones (
  file_id    uuid PRIMARY KEY,
  deleted_at timestamptz NOT NULL DEFAULT now()
);
)sql",
                                                                       R"sql(
-- The reconciler walks rows in the byte order S3 lists keys in, whatever
-- the database's collation.
CREATE UNIQUE INDEX files_object_key_bytes ON files (object_key COLLATE "C");
-- The reconciler's passes (arca reconcile, the reconcile worker role), for /metrics.
CREATE TABLE reconcile_runs (
  id          bigserial PRIMARY KEY,
  finished_at timestamptz NOT NULL,
  summary     text NOT NULL
);
)sql",
                                                                       R"sql(
-- Every change to a file row, by any process, is announced with its id, so
-- API nodes can drop the copy they keep for the hot reads (FileRowCache).
-- Sent at commit; inserts need none (nothing caches a row before it exists).
CREATE FUNCTION arca_file_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('arca_file_changed', OLD.id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER files_changed AFTER UPDATE OR DELETE ON files
  FOR EACH ROW EXECUTE FUNCTION arca_file_changed();
)sql"};

Status Apply(Conn& c, std::string_view table, const std::string_view* migrations, size_t count) {
  ARCA_RETURN_IF_ERROR(c.Run("SELECT pg_advisory_lock(" + std::string(kLockKey) + ")"));
  Status st = [&]() -> Status {
    ARCA_RETURN_IF_ERROR(c.Run("CREATE TABLE IF NOT EXISTS " + std::string(table) +
                               " (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"));
    for (size_t i = 0; i < count; ++i) {
      const std::string version = std::to_string(i + 1);
      auto done = c.Exec("SELECT 1 FROM " + std::string(table) + " WHERE version = $1", {version});
      if (!done.ok()) return done.status();
      if (done->size() > 0) continue;
      ARCA_RETURN_IF_ERROR(InTransaction(c, [&]() -> Status {
        ARCA_RETURN_IF_ERROR(c.Run(migrations[i]));
        auto mark = c.Exec("INSERT INTO " + std::string(table) + " (version) VALUES ($1)", {version});
        return mark.ok() ? Status::Ok() : mark.status();
      }));
    }
    return Status::Ok();
  }();
  (void)c.Run("SELECT pg_advisory_unlock(" + std::string(kLockKey) + ")");
  return st;
}

constexpr std::array<std::string_view, 1> kQueueMigrations{R"sql(
CREATE TABLE queue_groups (
  topic text NOT NULL,
  grp   text NOT NULL,
  PRIMARY KEY (topic, grp)
);
CREATE TABLE queue_deliveries (
  id           bigserial PRIMARY KEY,
  topic        text NOT NULL,
  grp          text NOT NULL,
  msg_key      text NOT NULL,
  payload      text NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  available_at timestamptz NOT NULL DEFAULT now(),
  leased_until timestamptz NOT NULL DEFAULT '-infinity',
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX queue_next ON queue_deliveries (grp, topic, available_at, id);
CREATE INDEX queue_key  ON queue_deliveries (grp, topic, msg_key, id);
INSERT INTO queue_groups (topic, grp) VALUES
  ('arquivos-enviados', 'metadata'), ('arquivos-para-deletar', 'delete'), ('renomear-arquivo', 'rename')
  ON CONFLICT DO NOTHING;
)sql"};

}  // namespace

Status MigrateMetadata(Conn& c) {
  return Apply(c, "schema_migrations", kMetadataMigrations.data(), kMetadataMigrations.size());
}

Status MigrateQueue(Conn& c) {
  return Apply(c, "queue_schema_migrations", kQueueMigrations.data(), kQueueMigrations.size());
}

}  // namespace arca::postgres
