// Every listing shape of GET /api/files must be answerable from an index:
// with sequential scans priced out, no plan may scan the files table.
#include <boost/json.hpp>

#include "adapters/postgres/pg_metadata_store.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"
#include "pg/pg_test_db.hpp"

namespace arca {
namespace {

using postgres::PgMetadataStore;

bool ScansFiles(const boost::json::value& node) {
  if (!node.is_object()) return false;
  const auto& o = node.as_object();
  if (auto* t = o.if_contains("Node Type"); t && t->as_string() == "Seq Scan")
    if (auto* rel = o.if_contains("Relation Name"); rel && rel->as_string() == "files") return true;
  if (auto* plans = o.if_contains("Plans"))
    for (auto& p : plans->as_array())
      if (ScansFiles(p)) return true;
  return false;
}

class ListPlans : public ::testing::Test {
 protected:
  void SetUp() override {
    if (db_.url().empty()) GTEST_SKIP() << "ARCA_TEST_DATABASE_URL is not set";
    store_ = std::make_unique<PgMetadataStore>(db_.url(), 2);
    ASSERT_TRUE(store_->Migrate().ok());
    for (int u = 0; u < 5; ++u) {
      User user{NewId(), "user" + std::to_string(u), "x", false, NowMicros()};
      ASSERT_TRUE(store_->CreateUser(user).ok());
      owners_.push_back(user.id);
    }
    std::vector<FileRecord> rows;
    for (int i = 0; i < 500; ++i) {
      FileRecord f;
      f.id = NewId();
      f.name = "relatório " + std::to_string(i) + (i % 3 ? ".pdf" : ".png");
      f.folder = "f" + std::to_string(i % 7);
      f.project = "p" + std::to_string(i % 4);
      f.owner_id = owners_[i % owners_.size()];
      f.size = i * 1000;
      f.content_type = i % 3 ? "application/pdf" : "image/png";
      f.sha256 = std::string(64, 'a');
      f.description = "report number " + std::to_string(i);
      f.tags = {"t" + std::to_string(i % 5)};
      f.object_key = "files/" + f.id;
      f.bucket = "b";
      f.created_at = f.updated_at = NowMicros() - i * 1000000LL;
      rows.push_back(f);
    }
    ASSERT_TRUE(store_->InsertFiles(rows).ok());
    conn_ = PQconnectdb(db_.url().c_str());
    Exec("ANALYZE");
    Exec("SET enable_seqscan = off");
  }
  void TearDown() override {
    if (conn_) PQfinish(conn_);
  }
  void Exec(const std::string& sql) { PQclear(PQexec(conn_, sql.c_str())); }

  boost::json::value Plan(const ListQuery& q) {
    auto [sql, params] = PgMetadataStore::ListSql(q);
    std::vector<const char*> values;
    for (auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    std::string explain = "EXPLAIN (FORMAT JSON) " + sql;
    PGresult* r = PQexecParams(conn_, explain.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                               nullptr, 0);
    EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(conn_);
    boost::json::value v = boost::json::parse(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v.as_array()[0].as_object()["Plan"];
  }

  testing::PgTestDb db_;
  std::unique_ptr<PgMetadataStore> store_;
  std::vector<std::string> owners_;
  PGconn* conn_ = nullptr;
};

TEST_F(ListPlans, NoListingShapeScansTheFilesTable) {
  const std::string me = owners_[0];
  std::vector<std::pair<std::string, ListQuery>> shapes;
  auto add = [&](std::string name, auto edit) {
    for (bool admin : {true, false}) {
      ListQuery q;
      if (!admin) q.visible_owner = me;
      edit(q);
      shapes.emplace_back(name + (admin ? " (admin)" : " (user)"), q);
    }
  };
  add("default", [](ListQuery&) {});
  add("owner=me", [&](ListQuery& q) { q.owner_id = me; });
  add("only PDFs I uploaded last week", [&](ListQuery& q) {
    q.owner_id = me;
    q.type = TypeFilter{"pdf", "", ""};
    q.uploaded_after = NowMicros() - 7LL * 86400 * 1000000;
  });
  add("type mime", [](ListQuery& q) { q.type = TypeFilter{"", "application/pdf", ""}; });
  add("type prefix", [](ListQuery& q) { q.type = TypeFilter{"", "", "image/"}; });
  add("folder", [&](ListQuery& q) { q.owner_id = me; q.folder = "f1"; });
  add("project", [](ListQuery& q) { q.project = "p1"; });
  add("status", [&](ListQuery& q) { q.owner_id = me; q.status = ReviewStatus::kApproved; });
  add("state", [](ListQuery& q) { q.state = FileState::kMissing; });
  add("tag", [](ListQuery& q) { q.tag = "t1"; });
  add("q short word", [](ListQuery& q) { q.q = "re"; });
  add("q words", [](ListQuery& q) { q.q = "relatorio 12"; });
  add("size range", [](ListQuery& q) { q.min_size = 1000; q.max_size = 5000; });
  for (SortField sort : {SortField::kCreatedAt, SortField::kName, SortField::kSize}) {
    for (bool desc : {true, false}) {
      add("sort with cursor", [&](ListQuery& q) {
        q.sort = sort;
        q.descending = desc;
        Cursor c{sort, desc, NewId(), std::int64_t{1000}};
        if (sort == SortField::kName) c.last_value = std::string("relatório 5");
        q.cursor = c;
      });
    }
  }
  for (auto& [name, q] : shapes) {
    auto plan = Plan(q);
    EXPECT_FALSE(ScansFiles(plan)) << name << " scans files:\n" << boost::json::serialize(plan);
  }
}

}  // namespace
}  // namespace arca

namespace arca {
namespace {

// The check above is only worth something if it notices a scan: a filter on
// a column no index covers must be reported.
TEST_F(ListPlans, DetectorReportsAnUnindexedFilter) {
  PGresult* r = PQexec(conn_, "EXPLAIN (FORMAT JSON) SELECT id FROM files f WHERE f.declared_content_type = 'x'");
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK);
  boost::json::value v = boost::json::parse(PQgetvalue(r, 0, 0));
  PQclear(r);
  EXPECT_TRUE(ScansFiles(v.as_array()[0].as_object()["Plan"]));
}

}  // namespace
}  // namespace arca
