#include "adapters/postgres/pg_metadata_store.hpp"

#include <boost/json.hpp>

#include "adapters/postgres/pg_schema.hpp"
#include "core/ids.hpp"
#include "core/names.hpp"

namespace arca::postgres {
namespace {

// Timestamps are timestamptz in the table and microseconds in Arca.
std::string Ts(const std::string& param) {
  return "('epoch'::timestamptz + " + param + "::bigint * interval '1 microsecond')";
}
std::string Micro(const std::string& column) { return "(extract(epoch from " + column + ") * 1000000)::bigint"; }

const std::string kFileColumns =
    "f.id::text, f.name, f.folder, f.project, f.owner_id::text, u.username, f.size, f.content_type, "
    "f.declared_content_type, f.sha256, f.description, array_to_json(f.tags)::text, f.status, f.state, f.bucket, "
    "f.object_key, " + Micro("f.created_at") + ", " + Micro("f.updated_at");

std::string TagsJson(const std::vector<std::string>& tags) {
  boost::json::array a;
  for (auto& t : tags) a.emplace_back(t);
  return boost::json::serialize(a);
}
const char* kTagsFromJson = "ARRAY(SELECT json_array_elements_text(%s::json))";
std::string TagsParam(const std::string& p) {
  std::string s = kTagsFromJson;
  return s.replace(s.find("%s"), 2, p);
}

FileRecord ReadFile(const Rows& r, int i) {
  FileRecord f;
  f.id = r.Text(i, 0);
  f.name = r.Text(i, 1);
  f.folder = r.Text(i, 2);
  f.project = r.Text(i, 3);
  f.owner_id = r.Text(i, 4);
  f.owner_username = r.Text(i, 5);
  f.size = r.Int(i, 6);
  f.content_type = r.Text(i, 7);
  f.declared_content_type = r.Text(i, 8);
  f.sha256 = r.Text(i, 9);
  f.description = r.Text(i, 10);
  boost::system::error_code ec;
  auto tags = boost::json::parse(r.Text(i, 11), ec);
  if (!ec && tags.is_array())
    for (auto& t : tags.as_array())
      if (t.is_string()) f.tags.emplace_back(t.as_string());
  f.status = ParseReviewStatus(r.Text(i, 12)).value_or(ReviewStatus::kPending);
  f.state = ParseFileState(r.Text(i, 13)).value_or(FileState::kReady);
  f.bucket = r.Text(i, 14);
  f.object_key = r.Text(i, 15);
  f.created_at = r.Int(i, 16);
  f.updated_at = r.Int(i, 17);
  return f;
}

struct Builder {
  std::string sql;
  Params params;
  std::string P(std::string v) {
    params.emplace_back(std::move(v));
    return "$" + std::to_string(params.size());
  }
  void Where(const std::string& clause) { sql += " AND " + clause; }
};

std::string_view SortColumn(SortField s) {
  switch (s) {
    case SortField::kName: return "f.name";
    case SortField::kSize: return "f.size";
    default: return "f.created_at";
  }
}

Status Check(const Result<Rows>& r) { return r.ok() ? Status::Ok() : r.status(); }

// A read as data: the statement, its parameters, and how its rows become
// the answer. The blocking methods run it on a pooled connection
// (RunBlocking), the *Async ones on the event loop's connections
// (RunOnLoop), so the SQL and the decoding exist once for both.
template <typename T>
struct Read {
  std::string sql;
  Params params;
  std::function<Result<T>(const Rows&)> decode;
};

template <typename T>
Result<T> RunBlocking(Pool& pool, const Read<T>& read) {
  auto c = pool.Acquire();
  if (!c.ok()) return c.status();
  auto r = (*c)->Exec(read.sql, read.params);
  if (!r.ok()) return r.status();
  return read.decode(*r);
}

template <typename T>
void RunOnLoop(AsyncPool& pool, Read<T> read, ResultCallback<T> done) {
  pool.Exec(std::move(read.sql), std::move(read.params),
            [decode = std::move(read.decode), done = std::move(done)](Result<Rows> r) {
              if (!r.ok()) return done(r.status());
              done(decode(*r));
            });
}

Status FileNotFound(const std::string& id) { return NotFound("file_not_found", "no file with id " + id); }
Status UserNotFound() { return NotFound("user_not_found", "no such user"); }

// Callers check IsValidId first: the id is cast to uuid.
Read<FileRecord> FileById(const std::string& id) {
  return {"SELECT " + kFileColumns + " FROM files f JOIN users u ON u.id = f.owner_id WHERE f.id = $1::uuid",
          {id},
          [id](const Rows& r) -> Result<FileRecord> {
            if (r.size() == 0) return FileNotFound(id);
            return ReadFile(r, 0);
          }};
}

Read<User> UserWhere(const char* where, const std::string& value) {
  return {"SELECT id::text, username, password_hash, is_admin, " + Micro("created_at") + " FROM users WHERE " + where,
          {value},
          [](const Rows& r) -> Result<User> {
            if (r.size() == 0) return UserNotFound();
            return User{r.Text(0, 0), r.Text(0, 1), r.Text(0, 2), r.Text(0, 3) == "t", r.Int(0, 4)};
          }};
}
const char* kUserById = "id = $1::uuid";

Read<FilePage> Listing(const ListQuery& q) {
  auto [sql, params] = PgMetadataStore::ListSql(q);
  return {std::move(sql), std::move(params),
          [limit = q.limit, sort = q.sort, descending = q.descending](const Rows& r) -> Result<FilePage> {
            FilePage page;
            for (int i = 0; i < r.size(); ++i) page.items.push_back(ReadFile(r, i));
            // ListSql asks for one row more than the page, to know whether another page follows.
            if (page.items.size() > static_cast<size_t>(limit)) {
              page.items.pop_back();
              page.next = CursorAfter(page.items.back(), sort, descending);
            }
            return page;
          }};
}

}  // namespace

void PgMetadataStore::ReadOnEventLoops(const std::vector<boost::asio::io_context*>& loops, int connections) {
  loop_pools_.clear();
  for (auto* loop : loops) loop_pools_.push_back(std::make_unique<AsyncPool>(pool_.url(), connections, *loop));
  std::lock_guard lock(cache_mu_);
  cache_ = std::make_shared<FileRowCache>(pool_.url());
}

std::shared_ptr<FileRowCache> PgMetadataStore::Cache() {
  std::lock_guard lock(cache_mu_);
  return cache_;
}

Result<Rows> PgMetadataStore::WriteRow(const std::string& id, const std::string& sql, const Params& params) {
  auto c = pool_.Acquire();
  if (!c.ok()) return c.status();
  auto r = (*c)->Exec(sql, params);
  // Also when the statement failed: it may have committed before the answer was lost.
  if (auto cache = Cache()) cache->Drop(id);
  return r;
}

AsyncPool* PgMetadataStore::LoopPool() {
  for (auto& p : loop_pools_)
    if (p->RunningInThisThread()) return p.get();
  return nullptr;
}

std::pair<std::string, Params> PgMetadataStore::ListSql(const ListQuery& q) {
  Builder b;
  b.sql = "SELECT " + kFileColumns + " FROM files f JOIN users u ON u.id = f.owner_id WHERE f.state <> 'deleting'";
  // Ids come from users; one that is not a UUID matches nothing (instead of a cast error).
  auto uuid = [&](const std::string& v) { return IsValidId(v) ? b.P(v) + "::uuid" : std::string("NULL::uuid"); };
  if (q.visible_owner) b.Where("f.owner_id = " + uuid(*q.visible_owner));
  if (q.owner_id) b.Where("f.owner_id = " + uuid(*q.owner_id));
  if (q.project) b.Where("f.project = " + b.P(*q.project));
  if (q.folder) b.Where("f.folder = " + b.P(*q.folder));
  if (q.status) b.Where("f.status = " + b.P(std::string(ToString(*q.status))));
  if (q.state) b.Where("f.state = " + b.P(std::string(ToString(*q.state))));
  if (q.tag) b.Where("f.tags @> ARRAY[" + b.P(*q.tag) + "::text]");
  if (q.uploaded_after) b.Where("f.created_at >= " + Ts(b.P(std::to_string(*q.uploaded_after))));
  if (q.uploaded_before) b.Where("f.created_at < " + Ts(b.P(std::to_string(*q.uploaded_before))));
  if (q.min_size) b.Where("f.size >= " + b.P(std::to_string(*q.min_size)) + "::bigint");
  if (q.max_size) b.Where("f.size <= " + b.P(std::to_string(*q.max_size)) + "::bigint");
  if (q.type) {
    if (!q.type->extension.empty()) {
      std::string mime = MimeForExtension(q.type->extension);
      if (mime.empty()) b.Where("f.extension = " + b.P(q.type->extension));
      else b.Where("(f.extension = " + b.P(q.type->extension) + " OR f.content_type = " + b.P(mime) + ")");
    } else if (!q.type->mime.empty()) {
      b.Where("f.content_type = " + b.P(q.type->mime));
    } else {
      b.Where("f.content_type >= " + b.P(q.type->mime_prefix) + " AND f.content_type < " +
              b.P(PrefixUpperBound(q.type->mime_prefix)));
    }
  }
  if (q.q) {
    auto words = SearchWords(*q.q);
    if (words.empty()) b.Where("false");
    for (const auto& w : words) {
      std::string p = b.P(w);
      // A word is a prefix of a word (full-text index), or, from three
      // characters on, any part of the name (trigram index).
      std::string clause = "(f.search @@ to_tsquery('simple', arca_fold(" + p + ") || ':*')";
      if (w.size() >= 3) clause += " OR arca_fold(f.name) LIKE '%' || arca_fold(" + p + ") || '%'";
      b.Where(clause + ")");
    }
  }
  const std::string col(SortColumn(q.sort));
  const char* dir = q.descending ? "DESC" : "ASC";
  if (q.cursor) {
    std::string value;
    if (auto* n = std::get_if<std::int64_t>(&q.cursor->last_value)) {
      value = q.sort == SortField::kCreatedAt ? Ts(b.P(std::to_string(*n))) : b.P(std::to_string(*n)) + "::bigint";
    } else {
      value = b.P(std::get<std::string>(q.cursor->last_value));
    }
    b.Where("(" + col + ", f.id) " + (q.descending ? "<" : ">") + " (" + value + ", " + uuid(q.cursor->last_id) + ")");
  }
  b.sql += " ORDER BY " + col + " " + dir + ", f.id " + dir + " LIMIT " + b.P(std::to_string(q.limit + 1));
  return {b.sql, b.params};
}

Status PgMetadataStore::Migrate() {
  auto c = pool_.Acquire();
  if (!c.ok()) return c.status();
  return MigrateMetadata(**c);
}

Status PgMetadataStore::Ping() {
  auto c = pool_.Acquire(std::chrono::milliseconds(1000));
  if (!c.ok()) return c.status();
  return Check((*c)->Exec("SELECT 1"));
}

Status PgMetadataStore::CreateUser(const User& u) {
  auto c = pool_.Acquire();
  if (!c.ok()) return c.status();
  auto r = (*c)->Exec("INSERT INTO users (id, username, password_hash, is_admin, created_at) VALUES ($1::uuid, $2, $3, $4, " +
                          Ts("$5") + ")",
                      {u.id, u.username, u.password_hash, u.is_admin ? "true" : "false", std::to_string(u.created_at)});
  if (!r.ok() && r.status().kind() == ErrorKind::kConflict)
    return Conflict("user_exists", "a user named " + u.username + " exists");
  return Check(r);
}

Result<User> PgMetadataStore::FindUserByName(const std::string& username) {
  return RunBlocking(pool_, UserWhere("username = $1", username));
}

Result<User> PgMetadataStore::FindUserById(const std::string& id) {
  if (!IsValidId(id)) return UserNotFound();
  return RunBlocking(pool_, UserWhere(kUserById, id));
}

void PgMetadataStore::FindUserByIdAsync(const std::string& id, ResultCallback<User> done) {
  AsyncPool* pool = LoopPool();
  if (!pool) return done(FindUserById(id));
  if (!IsValidId(id)) return done(UserNotFound());
  RunOnLoop(*pool, UserWhere(kUserById, id), std::move(done));
}

Result<std::int64_t> PgMetadataStore::CountUsers() {
  auto c = pool_.Acquire();
  if (!c.ok()) return c.status();
  auto r = (*c)->Exec("SELECT count(*) FROM users");
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

Status PgMetadataStore::InsertFiles(const std::vector<FileRecord>& files) {
  if (files.empty()) return Status::Ok();
  auto c = pool_.Acquire();
  if (!c.ok()) return c.status();
  // One multi-row INSERT per batch: one round trip, one commit.
  std::string sql =
      "INSERT INTO files (id, name, extension, folder, project, owner_id, size, content_type, declared_content_type, "
      "sha256, description, tags, status, state, bucket, object_key, created_at, updated_at) SELECT v.* FROM (VALUES ";
  Params params;
  for (size_t i = 0; i < files.size(); ++i) {
    const FileRecord& f = files[i];
    auto p = [&](std::string v) {
      params.emplace_back(std::move(v));
      return "$" + std::to_string(params.size());
    };
    if (i) sql += ", ";
    sql += "(" + p(f.id) + "::uuid, " + p(f.name) + ", " + p(ExtensionOf(f.name)) + ", " + p(f.folder) + ", " +
           p(f.project) + ", " + p(f.owner_id) + "::uuid, " + p(std::to_string(f.size)) + "::bigint, " +
           p(f.content_type) + ", " + p(f.declared_content_type) + ", " + p(f.sha256) + ", " + p(f.description) +
           ", " + TagsParam(p(TagsJson(f.tags))) + ", " + p(std::string(ToString(f.status))) + ", " +
           p(std::string(ToString(f.state))) + ", " + p(f.bucket) + ", " + p(f.object_key) + ", " +
           Ts(p(std::to_string(f.created_at))) + ", " + Ts(p(std::to_string(f.updated_at))) + ")";
  }
  sql += ") AS v (id, name, extension, folder, project, owner_id, size, content_type, declared_content_type, sha256, "
         "description, tags, status, state, bucket, object_key, created_at, updated_at) "
         "WHERE NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.file_id = v.id) ON CONFLICT (id) DO NOTHING";
  return Check((*c)->Exec(sql, params));
}

Result<FileRecord> PgMetadataStore::GetFile(const std::string& id) {
  if (!IsValidId(id)) return FileNotFound(id);
  return RunBlocking(pool_, FileById(id));
}

void PgMetadataStore::GetFileAsync(const std::string& id, ResultCallback<FileRecord> done) {
  AsyncPool* pool = LoopPool();
  if (!pool) return done(GetFile(id));
  if (!IsValidId(id)) return done(FileNotFound(id));
  // On a loop thread cache_ is set and not reset (see ReadOnEventLoops): no lock.
  if (!cache_) return RunOnLoop(*pool, FileById(id), std::move(done));
  auto kept = cache_->Get(id);
  if (kept.row) return done(std::move(*kept.row));
  RunOnLoop<FileRecord>(*pool, FileById(id),
                        [cache = cache_, generation = kept.generation, done = std::move(done)](Result<FileRecord> r) {
                          if (r.ok()) cache->Put(*r, generation);
                          done(std::move(r));
                        });
}

Result<FilePage> PgMetadataStore::ListFiles(const ListQuery& q) { return RunBlocking(pool_, Listing(q)); }

void PgMetadataStore::ListFilesAsync(const ListQuery& q, ResultCallback<FilePage> done) {
  AsyncPool* pool = LoopPool();
  if (!pool) return done(ListFiles(q));
  RunOnLoop(*pool, Listing(q), std::move(done));
}

Result<FileRecord> PgMetadataStore::UpdateFile(const std::string& id, const FilePatch& p, Micros now) {
  if (!IsValidId(id)) return FileNotFound(id);
  Builder b;
  b.sql = "UPDATE files SET updated_at = " + Ts(b.P(std::to_string(now)));
  if (p.name) {
    b.sql += ", name = " + b.P(*p.name);
    b.sql += ", extension = " + b.P(ExtensionOf(*p.name));
  }
  if (p.folder) b.sql += ", folder = " + b.P(*p.folder);
  if (p.description) b.sql += ", description = " + b.P(*p.description);
  if (p.status) b.sql += ", status = " + b.P(std::string(ToString(*p.status)));
  if (p.tags) b.sql += ", tags = " + TagsParam(b.P(TagsJson(*p.tags)));
  b.sql += " WHERE id = " + b.P(id) + "::uuid AND state <> 'deleting'";
  auto r = WriteRow(id, b.sql, b.params);
  if (!r.ok()) return r.status();
  if (r->Affected() == 0) return FileNotFound(id);
  return GetFile(id);
}

Result<FileRecord> PgMetadataStore::MarkDeleting(const std::string& id, Micros now) {
  if (!IsValidId(id)) return FileNotFound(id);
  auto r = WriteRow(id, "UPDATE files SET state = 'deleting', updated_at = " + Ts("$1") +
                            " WHERE id = $2::uuid AND state <> 'deleting'",
                    {std::to_string(now), id});
  if (!r.ok()) return r.status();
  if (r->Affected() == 0) return FileNotFound(id);
  return GetFile(id);
}

Status PgMetadataStore::DeleteFile(const std::string& id) {
  if (!IsValidId(id)) return Status::Ok();
  // One statement, so the row and its tombstone go together.
  return Check(WriteRow(id,
                        "WITH gone AS (DELETE FROM files WHERE id = $1::uuid) "
                        "INSERT INTO tombstones (file_id) VALUES ($1::uuid) ON CONFLICT DO NOTHING",
                        {id}));
}

Result<std::vector<FileRecord>> PgMetadataStore::ScanByObjectKey(const std::string& after, size_t limit) {
  auto c = pool_.Acquire();
  if (!c.ok()) return c.status();
  auto r = (*c)->Exec("SELECT " + kFileColumns +
                          " FROM files f JOIN users u ON u.id = f.owner_id WHERE f.object_key COLLATE \"C\" > $1 "
                          "ORDER BY f.object_key COLLATE \"C\" LIMIT $2",
                      {after, std::to_string(limit)});
  if (!r.ok()) return r.status();
  std::vector<FileRecord> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(ReadFile(*r, i));
  return out;
}

Status PgMetadataStore::MarkMissing(const std::string& id, Micros now) {
  if (!IsValidId(id)) return NotFound("file_not_found", "no ready file with id " + id);
  auto r = WriteRow(id, "UPDATE files SET state = 'missing', updated_at = " + Ts("$1") +
                            " WHERE id = $2::uuid AND state = 'ready'",
                    {std::to_string(now), id});
  if (!r.ok()) return r.status();
  if (r->Affected() == 0) return NotFound("file_not_found", "no ready file with id " + id);
  return Status::Ok();
}

Result<FileRecord> PgMetadataStore::RenameFile(const std::string& id, const std::string& from_key,
                                               const std::string& to_key, const std::string& name,
                                               const std::string& folder, Micros now) {
  if (!IsValidId(id)) return FileNotFound(id);
  auto r = WriteRow(id,
                    "UPDATE files SET object_key = $1, name = $2, extension = $3, folder = $4, updated_at = " +
                        Ts("$5") + " WHERE id = $6::uuid AND object_key = $7 AND state <> 'deleting'",
                    {to_key, name, ExtensionOf(name), folder, std::to_string(now), id, from_key});
  if (!r.ok()) return r.status();
  if (r->Affected() == 0) return FileNotFound(id);
  return GetFile(id);
}

Result<bool> PgMetadataStore::IsTombstoned(const std::string& id) {
  if (!IsValidId(id)) return false;
  auto c = pool_.Acquire();
  if (!c.ok()) return c.status();
  auto r = (*c)->Exec("SELECT 1 FROM tombstones WHERE file_id = $1::uuid", {id});
  if (!r.ok()) return r.status();
  return r->size() > 0;
}

Status PgMetadataStore::SaveReconcileSummary(Micros finished_at, const std::string& json) {
  auto c = pool_.Acquire();
  if (!c.ok()) return c.status();
  ARCA_RETURN_IF_ERROR(Check((*c)->Exec(
      "INSERT INTO reconcile_runs (finished_at, summary) VALUES (" + Ts("$1") + ", $2)", {std::to_string(finished_at), json})));
  // Keep the last hundred passes.
  return Check((*c)->Exec("DELETE FROM reconcile_runs WHERE id <= (SELECT max(id) - 100 FROM reconcile_runs)"));
}

Result<std::optional<std::string>> PgMetadataStore::LastReconcileSummary() {
  auto c = pool_.Acquire();
  if (!c.ok()) return c.status();
  auto r = (*c)->Exec("SELECT summary FROM reconcile_runs ORDER BY id DESC LIMIT 1");
  if (!r.ok()) return r.status();
  std::optional<std::string> out;
  if (r->size() > 0) out = r->Text(0, 0);
  return out;
}

}  // namespace arca::postgres
