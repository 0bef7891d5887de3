#include "adapters/sqlite/sqlite_metadata_store.hpp"

#include <boost/json.hpp>

#include "adapters/sqlite/sqlite_schema.hpp"
#include "core/names.hpp"

namespace arca::sqlite {
namespace {

constexpr std::string_view kFileColumns =
    "f.id, f.name, f.folder, f.project, f.owner_id, u.username, f.size, f.content_type, "
    "f.declared_content_type, f.sha256, f.description, f.tags, f.status, f.state, f.bucket, "
    "f.object_key, f.created_at, f.updated_at";

std::string TagsJson(const std::vector<std::string>& tags) {
  boost::json::array a;
  for (auto& t : tags) a.emplace_back(t);
  return boost::json::serialize(a);
}
std::vector<std::string> TagsFromJson(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (!ec && v.is_array())
    for (auto& t : v.as_array())
      if (t.is_string()) out.emplace_back(t.as_string());
  return out;
}

FileRecord ReadFile(const Stmt& s) {
  FileRecord f;
  f.id = s.Text(0);
  f.name = s.Text(1);
  f.folder = s.Text(2);
  f.project = s.Text(3);
  f.owner_id = s.Text(4);
  f.owner_username = s.Text(5);
  f.size = s.Int(6);
  f.content_type = s.Text(7);
  f.declared_content_type = s.Text(8);
  f.sha256 = s.Text(9);
  f.description = s.Text(10);
  f.tags = TagsFromJson(s.Text(11));
  f.status = ParseReviewStatus(s.Text(12)).value_or(ReviewStatus::kPending);
  f.state = ParseFileState(s.Text(13)).value_or(FileState::kReady);
  f.bucket = s.Text(14);
  f.object_key = s.Text(15);
  f.created_at = s.Int(16);
  f.updated_at = s.Int(17);
  return f;
}

// Collects SQL text and its parameters in one pass so they cannot drift apart.
struct SqlBuilder {
  std::string sql;
  std::vector<std::variant<std::int64_t, std::string>> params;
  void Where(std::string_view clause) { sql += " AND "; sql += clause; }
  void Param(std::int64_t v) { params.emplace_back(std::in_place_index<0>, v); }
  void Param(std::string v) { params.emplace_back(std::in_place_index<1>, std::move(v)); }
  void Param(const std::variant<std::int64_t, std::string>& v) { params.push_back(v); }
  void BindAll(Stmt& s) const {
    for (size_t i = 0; i < params.size(); ++i) s.BindValue(static_cast<int>(i + 1), params[i]);
  }
};

std::string_view SortColumn(SortField s) {
  switch (s) {
    case SortField::kName: return "f.name";
    case SortField::kSize: return "f.size";
    default: return "f.created_at";
  }
}

}  // namespace

Result<std::unique_ptr<SqliteMetadataStore>> SqliteMetadataStore::Open(const std::string& path) {
  auto db = sqlite::Open(path);
  if (!db.ok()) return db.status();
  return std::unique_ptr<SqliteMetadataStore>(new SqliteMetadataStore(std::move(db).value()));
}

Status SqliteMetadataStore::Migrate() {
  std::lock_guard lock(mu_);
  return MigrateMetadata(db_.get());
}

Status SqliteMetadataStore::Ping() {
  std::lock_guard lock(mu_);
  Stmt s(db_.get(), "SELECT count(*) FROM schema_migrations");
  s.Step();
  return StatusFromStmt(s, "ping");
}

Status SqliteMetadataStore::CreateUser(const User& u) {
  std::lock_guard lock(mu_);
  Stmt s(db_.get(), "INSERT INTO users (id, username, password_hash, is_admin, created_at) VALUES (?,?,?,?,?)");
  s.Bind(1, u.id).Bind(2, u.username).Bind(3, u.password_hash).Bind(4, u.is_admin ? 1 : 0).Bind(5, u.created_at);
  s.Step();
  Status st = StatusFromStmt(s, "create user");
  if (st.kind() == ErrorKind::kConflict) return Conflict("user_exists", "a user named " + u.username + " exists");
  return st;
}

Result<User> SqliteMetadataStore::FindUser(std::string_view where, const std::string& value) {
  std::lock_guard lock(mu_);
  Stmt s(db_.get(), "SELECT id, username, password_hash, is_admin, created_at FROM users WHERE " + std::string(where));
  s.Bind(1, value);
  if (s.Step()) return User{s.Text(0), s.Text(1), s.Text(2), s.Int(3) != 0, s.Int(4)};
  ARCA_RETURN_IF_ERROR(StatusFromStmt(s, "find user"));
  return NotFound("user_not_found", "no such user");
}

Result<User> SqliteMetadataStore::FindUserByName(const std::string& username) {
  return FindUser("username = ?", username);
}
Result<User> SqliteMetadataStore::FindUserById(const std::string& id) { return FindUser("id = ?", id); }

Result<std::int64_t> SqliteMetadataStore::CountUsers() {
  std::lock_guard lock(mu_);
  Stmt s(db_.get(), "SELECT count(*) FROM users");
  if (s.Step()) return s.Int(0);
  ARCA_RETURN_IF_ERROR(StatusFromStmt(s, "count users"));
  return Internal("database_error", "count returned no row");
}

Status SqliteMetadataStore::InsertFiles(const std::vector<FileRecord>& files) {
  std::lock_guard lock(mu_);
  Transaction tx(db_.get());
  ARCA_RETURN_IF_ERROR(tx.status());
  for (const FileRecord& f : files) {
    Stmt ins(db_.get(),
             "INSERT INTO files (id, name, extension, folder, project, owner_id, size, content_type, "
             "declared_content_type, sha256, description, tags, status, state, bucket, object_key, created_at, "
             "updated_at) SELECT ?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,? "
             "WHERE NOT EXISTS (SELECT 1 FROM tombstones WHERE file_id = ?1) "
             "ON CONFLICT (id) DO NOTHING");
    ins.Bind(1, f.id).Bind(2, f.name).Bind(3, ExtensionOf(f.name)).Bind(4, f.folder).Bind(5, f.project);
    ins.Bind(6, f.owner_id).Bind(7, f.size).Bind(8, f.content_type).Bind(9, f.declared_content_type);
    ins.Bind(10, f.sha256).Bind(11, f.description).Bind(12, TagsJson(f.tags));
    ins.Bind(13, ToString(f.status)).Bind(14, ToString(f.state)).Bind(15, f.bucket).Bind(16, f.object_key);
    ins.Bind(17, f.created_at).Bind(18, f.updated_at);
    ins.Step();
    ARCA_RETURN_IF_ERROR(StatusFromStmt(ins, "insert file " + f.id));
    if (sqlite3_changes(db_.get()) == 0) continue;  // already there, or deleted for good
    for (const auto& tag : f.tags) {
      Stmt t(db_.get(), "INSERT OR IGNORE INTO file_tags (tag, file_id) VALUES (?, ?)");
      t.Bind(1, tag).Bind(2, f.id);
      t.Step();
      ARCA_RETURN_IF_ERROR(StatusFromStmt(t, "insert tag"));
    }
  }
  return tx.Commit();
}

Result<FileRecord> SqliteMetadataStore::GetFileLocked(const std::string& id) {
  Stmt s(db_.get(), "SELECT " + std::string(kFileColumns) +
                        " FROM files f JOIN users u ON u.id = f.owner_id WHERE f.id = ?");
  s.Bind(1, id);
  if (s.Step()) return ReadFile(s);
  ARCA_RETURN_IF_ERROR(StatusFromStmt(s, "get file"));
  return NotFound("file_not_found", "no file with id " + id);
}

Result<FileRecord> SqliteMetadataStore::GetFile(const std::string& id) {
  std::lock_guard lock(mu_);
  return GetFileLocked(id);
}

Result<FilePage> SqliteMetadataStore::ListFiles(const ListQuery& q) {
  SqlBuilder b;
  b.sql = "SELECT " + std::string(kFileColumns) +
          " FROM files f JOIN users u ON u.id = f.owner_id WHERE f.state <> 'deleting'";
  if (q.visible_owner) { b.Where("f.owner_id = ?"); b.Param(*q.visible_owner); }
  if (q.owner_id) { b.Where("f.owner_id = ?"); b.Param(*q.owner_id); }
  if (q.project) { b.Where("f.project = ?"); b.Param(*q.project); }
  if (q.folder) { b.Where("f.folder = ?"); b.Param(*q.folder); }
  if (q.status) { b.Where("f.status = ?"); b.Param(std::string(ToString(*q.status))); }
  if (q.state) { b.Where("f.state = ?"); b.Param(std::string(ToString(*q.state))); }
  if (q.tag) { b.Where("f.id IN (SELECT file_id FROM file_tags WHERE tag = ?)"); b.Param(*q.tag); }
  if (q.uploaded_after) { b.Where("f.created_at >= ?"); b.Param(*q.uploaded_after); }
  if (q.uploaded_before) { b.Where("f.created_at < ?"); b.Param(*q.uploaded_before); }
  if (q.min_size) { b.Where("f.size >= ?"); b.Param(*q.min_size); }
  if (q.max_size) { b.Where("f.size <= ?"); b.Param(*q.max_size); }
  if (q.type) {
    if (!q.type->extension.empty()) {
      std::string mime = MimeForExtension(q.type->extension);
      if (mime.empty()) {
        b.Where("f.extension = ?");
        b.Param(q.type->extension);
      } else {
        b.Where("(f.extension = ? OR f.content_type = ?)");
        b.Param(q.type->extension);
        b.Param(mime);
      }
    } else if (!q.type->mime.empty()) {
      b.Where("f.content_type = ?");
      b.Param(q.type->mime);
    } else {
      b.Where("f.content_type >= ? AND f.content_type < ?");
      b.Param(q.type->mime_prefix);
      b.Param(PrefixUpperBound(q.type->mime_prefix));
    }
  }
  if (q.q) {
    auto words = SearchWords(*q.q);
    if (words.empty()) return FilePage{};  // only punctuation: nothing can match
    for (const auto& w : words) {
      // A word is a prefix of a word in the name or description, or, from
      // three characters on, any part of the name.
      std::string clause = "(f.seq IN (SELECT rowid FROM files_fts WHERE files_fts MATCH ?)";
      b.Param("\"" + w + "\"*");
      if (w.size() >= 3) {
        clause += " OR f.seq IN (SELECT rowid FROM files_name_trgm WHERE files_name_trgm MATCH ?)";
        b.Param("\"" + w + "\"");
      }
      b.Where(clause + ")");
    }
  }
  const std::string col(SortColumn(q.sort));
  const char* dir = q.descending ? "DESC" : "ASC";
  if (q.cursor) {
    b.Where("(" + col + ", f.id) " + (q.descending ? "<" : ">") + " (?, ?)");
    b.Param(q.cursor->last_value);
    b.Param(q.cursor->last_id);
  }
  b.sql += " ORDER BY " + col + " " + dir + ", f.id " + dir + " LIMIT ?";
  b.Param(static_cast<std::int64_t>(q.limit) + 1);  // one extra row tells whether a next page exists

  std::lock_guard lock(mu_);
  Stmt s(db_.get(), b.sql);
  ARCA_RETURN_IF_ERROR(StatusFromStmt(s, "prepare listing"));
  b.BindAll(s);
  FilePage page;
  while (s.Step()) page.items.push_back(ReadFile(s));
  ARCA_RETURN_IF_ERROR(StatusFromStmt(s, "list files"));
  if (page.items.size() > static_cast<size_t>(q.limit)) {
    page.items.pop_back();
    page.next = CursorAfter(page.items.back(), q.sort, q.descending);
  }
  return page;
}

Result<FileRecord> SqliteMetadataStore::UpdateFile(const std::string& id, const FilePatch& p, Micros now) {
  std::lock_guard lock(mu_);
  Transaction tx(db_.get());
  ARCA_RETURN_IF_ERROR(tx.status());
  SqlBuilder b;
  b.sql = "UPDATE files SET updated_at = ?";
  b.Param(now);
  if (p.name) {
    b.sql += ", name = ?, extension = ?";
    b.Param(*p.name);
    b.Param(ExtensionOf(*p.name));
  }
  if (p.folder) { b.sql += ", folder = ?"; b.Param(*p.folder); }
  if (p.description) { b.sql += ", description = ?"; b.Param(*p.description); }
  if (p.status) { b.sql += ", status = ?"; b.Param(std::string(ToString(*p.status))); }
  if (p.tags) { b.sql += ", tags = ?"; b.Param(TagsJson(*p.tags)); }
  b.sql += " WHERE id = ? AND state <> 'deleting'";
  b.Param(id);
  Stmt s(db_.get(), b.sql);
  b.BindAll(s);
  s.Step();
  ARCA_RETURN_IF_ERROR(StatusFromStmt(s, "update file"));
  if (sqlite3_changes(db_.get()) == 0) return NotFound("file_not_found", "no file with id " + id);
  if (p.tags) {
    Stmt del(db_.get(), "DELETE FROM file_tags WHERE file_id = ?");
    del.Bind(1, id);
    del.Step();
    ARCA_RETURN_IF_ERROR(StatusFromStmt(del, "replace tags"));
    for (const auto& tag : *p.tags) {
      Stmt t(db_.get(), "INSERT OR IGNORE INTO file_tags (tag, file_id) VALUES (?, ?)");
      t.Bind(1, tag).Bind(2, id);
      t.Step();
      ARCA_RETURN_IF_ERROR(StatusFromStmt(t, "insert tag"));
    }
  }
  ARCA_RETURN_IF_ERROR(tx.Commit());
  return GetFileLocked(id);
}

Result<FileRecord> SqliteMetadataStore::MarkDeleting(const std::string& id, Micros now) {
  std::lock_guard lock(mu_);
  Stmt s(db_.get(), "UPDATE files SET state = 'deleting', updated_at = ? WHERE id = ? AND state <> 'deleting'");
  s.Bind(1, now).Bind(2, id);
  s.Step();
  ARCA_RETURN_IF_ERROR(StatusFromStmt(s, "mark deleting"));
  if (sqlite3_changes(db_.get()) == 0) return NotFound("file_not_found", "no file with id " + id);
  return GetFileLocked(id);
}

Status SqliteMetadataStore::DeleteFile(const std::string& id) {
  std::lock_guard lock(mu_);
  Transaction tx(db_.get());
  ARCA_RETURN_IF_ERROR(tx.status());
  Stmt del(db_.get(), "DELETE FROM files WHERE id = ?");
  del.Bind(1, id);
  del.Step();
  ARCA_RETURN_IF_ERROR(StatusFromStmt(del, "delete file"));
  Stmt tomb(db_.get(), "INSERT OR IGNORE INTO tombstones (file_id, deleted_at) VALUES (?, strftime('%s','now'))");
  tomb.Bind(1, id);
  tomb.Step();
  ARCA_RETURN_IF_ERROR(StatusFromStmt(tomb, "write tombstone"));
  return tx.Commit();
}

Result<std::vector<FileRecord>> SqliteMetadataStore::ScanByObjectKey(const std::string& after, size_t limit) {
  std::lock_guard lock(mu_);
  // TEXT compares as bytes (BINARY collation), the order S3 lists keys in;
  // the UNIQUE index on object_key serves the range.
  Stmt s(db_.get(), "SELECT " + std::string(kFileColumns) +
                        " FROM files f JOIN users u ON u.id = f.owner_id WHERE f.object_key > ? "
                        "ORDER BY f.object_key LIMIT ?");
  s.Bind(1, after).Bind(2, static_cast<std::int64_t>(limit));
  std::vector<FileRecord> out;
  while (s.Step()) out.push_back(ReadFile(s));
  ARCA_RETURN_IF_ERROR(StatusFromStmt(s, "scan files"));
  return out;
}

Status SqliteMetadataStore::MarkMissing(const std::string& id, Micros now) {
  std::lock_guard lock(mu_);
  Stmt s(db_.get(), "UPDATE files SET state = 'missing', updated_at = ? WHERE id = ? AND state = 'ready'");
  s.Bind(1, now).Bind(2, id);
  s.Step();
  ARCA_RETURN_IF_ERROR(StatusFromStmt(s, "mark missing"));
  if (sqlite3_changes(db_.get()) == 0) return NotFound("file_not_found", "no ready file with id " + id);
  return Status::Ok();
}

Result<FileRecord> SqliteMetadataStore::RenameFile(const std::string& id, const std::string& from_key,
                                                   const std::string& to_key, const std::string& name,
                                                   const std::string& folder, Micros now) {
  {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(),
           "UPDATE files SET object_key = ?, name = ?, extension = ?, folder = ?, updated_at = ? "
           "WHERE id = ? AND object_key = ? AND state <> 'deleting'");
    s.Bind(1, to_key).Bind(2, name).Bind(3, ExtensionOf(name)).Bind(4, folder).Bind(5, now).Bind(6, id).Bind(7, from_key);
    s.Step();
    ARCA_RETURN_IF_ERROR(StatusFromStmt(s, "rename file"));
    if (sqlite3_changes(db_.get()) == 0) return NotFound("file_not_found", "no file " + id + " at " + from_key);
  }
  return GetFile(id);
}

Result<bool> SqliteMetadataStore::IsTombstoned(const std::string& id) {
  std::lock_guard lock(mu_);
  Stmt s(db_.get(), "SELECT 1 FROM tombstones WHERE file_id = ?");
  s.Bind(1, id);
  const bool found = s.Step();
  ARCA_RETURN_IF_ERROR(StatusFromStmt(s, "read tombstone"));
  return found;
}

Status SqliteMetadataStore::SaveReconcileSummary(Micros finished_at, const std::string& json) {
  std::lock_guard lock(mu_);
  Stmt s(db_.get(), "INSERT INTO reconcile_runs (finished_at, summary) VALUES (?, ?)");
  s.Bind(1, finished_at).Bind(2, json);
  s.Step();
  ARCA_RETURN_IF_ERROR(StatusFromStmt(s, "save reconcile summary"));
  // Keep the last hundred passes.
  Stmt prune(db_.get(), "DELETE FROM reconcile_runs WHERE id <= (SELECT max(id) - 100 FROM reconcile_runs)");
  prune.Step();
  return StatusFromStmt(prune, "prune reconcile summaries");
}

Result<std::optional<std::string>> SqliteMetadataStore::LastReconcileSummary() {
  std::lock_guard lock(mu_);
  Stmt s(db_.get(), "SELECT summary FROM reconcile_runs ORDER BY id DESC LIMIT 1");
  std::optional<std::string> out;
  if (s.Step()) out = s.Text(0);
  ARCA_RETURN_IF_ERROR(StatusFromStmt(s, "read reconcile summary"));
  return out;
}

}  // namespace arca::sqlite
