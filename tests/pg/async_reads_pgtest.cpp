// The hot reads on the event loop (PgMetadataStore::*Async over AsyncPool)
// against a real PostgreSQL: the same answers as the blocking reads,
// completion on the loop's own thread, and a dropped or unreachable database
// seen as database_unavailable, with a fresh connection afterwards.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "adapters/postgres/pg_metadata_store.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"
#include "pg/pg_test_db.hpp"

namespace arca {
namespace {

namespace asio = boost::asio;
using postgres::PgMetadataStore;

class AsyncReads : public ::testing::Test {
 protected:
  void SetUp() override {
    if (db_.url().empty()) GTEST_SKIP() << "ARCA_TEST_DATABASE_URL is not set";
    store_ = std::make_unique<PgMetadataStore>(db_.url(), 2);
    ASSERT_TRUE(store_->Migrate().ok());
    user_ = User{NewId(), "alice", "x", false, NowMicros()};
    ASSERT_TRUE(store_->CreateUser(user_).ok());
    std::vector<FileRecord> rows;
    for (int i = 0; i < 3; ++i) {
      FileRecord f;
      f.id = NewId();
      f.name = "file " + std::to_string(i) + ".pdf";
      f.owner_id = user_.id;
      f.size = 100 + i;
      f.content_type = "application/pdf";
      f.sha256 = std::string(64, 'b');
      f.tags = {"t" + std::to_string(i), "shared"};
      f.object_key = "files/" + f.id;
      f.bucket = "b";
      f.created_at = f.updated_at = NowMicros() - i * 1000000LL;
      rows.push_back(f);
    }
    ASSERT_TRUE(store_->InsertFiles(rows).ok());
    files_ = rows;
    store_->ReadOnEventLoops({&loop_}, 2);
  }
  void TearDown() override {
    if (store_) store_->StopReadingOnEventLoops();
  }

  // Starts `read` on the loop's thread and runs the loop until it answers.
  template <typename T, typename Read>
  Result<T> OnLoop(Read read) {
    std::optional<Result<T>> out;
    asio::post(loop_, [&] {
      read([&](Result<T> r) {
        answered_on_loop_ = loop_.get_executor().running_in_this_thread();
        out = std::move(r);
      });
    });
    RunLoopUntil([&] { return out.has_value(); });
    if (!out) return Internal("test_timeout", "the read never answered");
    return std::move(*out);
  }
  // Runs the loop on this thread until `done()` or 20 s have passed.
  template <typename Pred>
  void RunLoopUntil(Pred done) {
    loop_.restart();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done() && std::chrono::steady_clock::now() < deadline) loop_.run_one_for(std::chrono::milliseconds(100));
  }
  Result<FileRecord> GetFile(const std::string& id) {
    return OnLoop<FileRecord>([&](ResultCallback<FileRecord> done) { store_->GetFileAsync(id, std::move(done)); });
  }
  Result<FilePage> List(const ListQuery& q) {
    return OnLoop<FilePage>([&](ResultCallback<FilePage> done) { store_->ListFilesAsync(q, std::move(done)); });
  }

  // Ends every other session on the test database, as a restart or a
  // network cut would, and waits until they are gone.
  void KillOtherSessions() {
    PGconn* c = PQconnectdb(db_.url().c_str());
    // Those that exist now; the cache's listener reconnects at once, and
    // waiting for no session at all would wait for nothing.
    PGresult* ids = PQexec(c,
                           "SELECT coalesce(string_agg(pid::text, ','), '0') FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    const std::string pids = PQgetvalue(ids, 0, 0);
    PQclear(ids);
    const std::string kill = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid IN (" + pids + ")";
    const std::string left = "SELECT count(*) FROM pg_stat_activity WHERE pid IN (" + pids + ")";
    PQclear(PQexec(c, kill.c_str()));
    for (int i = 0; i < 100; ++i) {
      PGresult* r = PQexec(c, left.c_str());
      const bool gone = std::string(PQgetvalue(r, 0, 0)) == "0";
      PQclear(r);
      if (gone) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    PQfinish(c);
  }

  // Runs `sql` on a session of its own, as another process would.
  void SqlOnOwnSession(const std::string& sql) {
    PGconn* c = PQconnectdb(db_.url().c_str());
    PGresult* r = PQexec(c, sql.c_str());
    EXPECT_TRUE(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK) << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
  }
  // How long until `seen()` holds, polling; 10 s when it never does.
  template <typename Pred>
  long MillisUntil(Pred seen) {
    const auto start = std::chrono::steady_clock::now();
    while (!seen()) {
      if (std::chrono::steady_clock::now() - start > std::chrono::seconds(10)) return 10000;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
  }

  testing::PgTestDb db_;
  std::unique_ptr<PgMetadataStore> store_;
  asio::io_context loop_{1};
  User user_;
  std::vector<FileRecord> files_;
  bool answered_on_loop_ = false;
};

TEST_F(AsyncReads, OneFileIsTheBlockingReadsAnswerAndArrivesOnTheLoopThread) {
  ASSERT_TRUE(store_->NonBlockingReads());
  const FileRecord& want = files_[1];
  auto got = GetFile(want.id);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_TRUE(answered_on_loop_);
  auto blocking = store_->GetFile(want.id);
  ASSERT_TRUE(blocking.ok());
  EXPECT_EQ(got->name, want.name);
  EXPECT_EQ(got->owner_username, "alice");
  EXPECT_EQ(got->tags, want.tags);
  EXPECT_EQ(got->created_at, blocking->created_at);
  EXPECT_EQ(got->object_key, blocking->object_key);
}

TEST_F(AsyncReads, AbsentOrMalformedIdsAreNotFound) {
  auto absent = GetFile(NewId());
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.status().code(), "file_not_found");
  auto malformed = GetFile("not-a-uuid");
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.status().code(), "file_not_found");
  auto user = OnLoop<User>([&](ResultCallback<User> done) { store_->FindUserByIdAsync(NewId(), std::move(done)); });
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.status().code(), "user_not_found");
}

TEST_F(AsyncReads, UserLookupFindsTheUser) {
  auto user = OnLoop<User>([&](ResultCallback<User> done) { store_->FindUserByIdAsync(user_.id, std::move(done)); });
  ASSERT_TRUE(user.ok()) << user.status().message();
  EXPECT_EQ(user->username, "alice");
}

TEST_F(AsyncReads, ListingPagesWithTheSameCursorsAsTheBlockingListing) {
  ListQuery q;
  q.visible_owner = user_.id;
  q.limit = 2;
  auto first = List(q);
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto blocking = store_->ListFiles(q);
  ASSERT_TRUE(blocking.ok());
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->items[0].id, blocking->items[0].id);
  EXPECT_EQ(first->items[1].id, blocking->items[1].id);
  ASSERT_TRUE(first->next.has_value());
  q.cursor = first->next;
  auto second = List(q);
  ASSERT_TRUE(second.ok()) << second.status().message();
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_FALSE(second->next.has_value());
  std::set<std::string> seen{first->items[0].id, first->items[1].id, second->items[0].id};
  EXPECT_EQ(seen.size(), 3u);
}

TEST_F(AsyncReads, MoreReadsThanConnectionsAllGetTheirOwnAnswer) {
  std::vector<std::optional<Result<FileRecord>>> out(30);
  asio::post(loop_, [&] {
    for (size_t i = 0; i < out.size(); ++i)
      store_->GetFileAsync(files_[i % files_.size()].id, [&out, i](Result<FileRecord> r) { out[i] = std::move(r); });
  });
  RunLoopUntil([&] { return std::all_of(out.begin(), out.end(), [](auto& o) { return o.has_value(); }); });
  for (size_t i = 0; i < out.size(); ++i) {
    ASSERT_TRUE(out[i].has_value()) << "read " << i << " never answered";
    ASSERT_TRUE(out[i]->ok()) << out[i]->status().message();
    EXPECT_EQ((*out[i])->id, files_[i % files_.size()].id);
  }
}

// GetFileAsync keeps the rows it found (FileRowCache). A change by another
// process (here a plain SQL session) must show in the next reads within the
// notification's delay, far inside the cache's 5 s lifetime.
TEST_F(AsyncReads, AChangeByAnotherProcessShowsInTheNextReadsAtOnce) {
  const FileRecord& f = files_[0];
  ASSERT_LT(MillisUntil([&] { return store_->RowCacheListening(); }), 5000);
  ASSERT_EQ(GetFile(f.id)->name, f.name);
  // The row is kept: a change nobody announces (the trigger off) is not seen...
  SqlOnOwnSession("ALTER TABLE files DISABLE TRIGGER files_changed");
  SqlOnOwnSession("UPDATE files SET description = 'unannounced' WHERE id = '" + f.id + "'");
  SqlOnOwnSession("ALTER TABLE files ENABLE TRIGGER files_changed");
  EXPECT_EQ(GetFile(f.id)->description, f.description);
  // ...and an announced one is, at once.
  SqlOnOwnSession("UPDATE files SET name = 'renamed elsewhere.pdf' WHERE id = '" + f.id + "'");
  EXPECT_LT(MillisUntil([&] {
              auto r = GetFile(f.id);
              return r.ok() && r->name == "renamed elsewhere.pdf";
            }),
            1000);
  SqlOnOwnSession("DELETE FROM files WHERE id = '" + f.id + "'");
  EXPECT_LT(MillisUntil([&] {
              auto r = GetFile(f.id);
              return !r.ok() && r.status().code() == "file_not_found";
            }),
            1000);
}

// A write through the store itself shows in the very next read: no waiting
// for the notification (read your own writes on one API node).
TEST_F(AsyncReads, AWriteThroughTheStoreShowsInTheVeryNextRead) {
  const FileRecord& f = files_[1];
  ASSERT_LT(MillisUntil([&] { return store_->RowCacheListening(); }), 5000);
  ASSERT_TRUE(GetFile(f.id).ok());
  // No notices: only the store's own drop after each write can make this pass.
  SqlOnOwnSession("ALTER TABLE files DISABLE TRIGGER files_changed");
  FilePatch patch;
  patch.description = "changed here";
  ASSERT_TRUE(store_->UpdateFile(f.id, patch, NowMicros()).ok());
  EXPECT_EQ(GetFile(f.id)->description, "changed here");
  ASSERT_TRUE(store_->MarkDeleting(f.id, NowMicros()).ok());
  EXPECT_EQ(GetFile(f.id)->state, FileState::kDeleting);
  ASSERT_TRUE(store_->DeleteFile(f.id).ok());
  auto gone = GetFile(f.id);
  SqlOnOwnSession("ALTER TABLE files ENABLE TRIGGER files_changed");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), "file_not_found");
}

// While the listener is cut off, changes are not announced to it: what it
// kept must not be served, and once it is back, changes show again.
// A change nobody announces (trigger off) made while the listener is cut
// off must still show: losing the listener drops every kept row. Once it is
// back, announced changes show again.
TEST_F(AsyncReads, LosingTheListenerDropsWhatWasKept) {
  const FileRecord& f = files_[2];
  ASSERT_LT(MillisUntil([&] { return store_->RowCacheListening(); }), 5000);
  ASSERT_TRUE(GetFile(f.id).ok());
  SqlOnOwnSession("ALTER TABLE files DISABLE TRIGGER files_changed");
  SqlOnOwnSession("UPDATE files SET name = 'while nobody listened.pdf' WHERE id = '" + f.id + "'");
  SqlOnOwnSession("ALTER TABLE files ENABLE TRIGGER files_changed");
  EXPECT_EQ(GetFile(f.id)->name, f.name);  // kept, and nothing announced the change
  SqlOnOwnSession(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE datname = current_database() AND query LIKE '%arca_file_changed%' AND pid <> pg_backend_pid()");
  EXPECT_LT(MillisUntil([&] {
              auto r = GetFile(f.id);
              return r.ok() && r->name == "while nobody listened.pdf";
            }),
            1000);
  ASSERT_LT(MillisUntil([&] { return store_->RowCacheListening(); }), 5000);
  ASSERT_TRUE(GetFile(f.id).ok());
  SqlOnOwnSession("UPDATE files SET name = 'after the listener came back.pdf' WHERE id = '" + f.id + "'");
  EXPECT_LT(MillisUntil([&] {
              auto r = GetFile(f.id);
              return r.ok() && r->name == "after the listener came back.pdf";
            }),
            1000);
}

TEST_F(AsyncReads, ADroppedConnectionIsDatabaseUnavailableAndTheNextReadReconnects) {
  ASSERT_TRUE(GetFile(files_[0].id).ok());  // one connection open and idle
  KillOtherSessions();
  // Another file than the one just read: that one may still be in the row
  // cache, and this test is about the loop's dropped connection.
  auto during = GetFile(files_[1].id);
  ASSERT_FALSE(during.ok());
  EXPECT_EQ(during.status().code(), "database_unavailable") << during.status().message();
  auto after = GetFile(files_[0].id);
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_EQ(after->id, files_[0].id);
}

TEST_F(AsyncReads, AnUnreachableServerIsDatabaseUnavailable) {
  PgMetadataStore nowhere("postgresql://arca@127.0.0.1:1/none?connect_timeout=2", 1);
  nowhere.ReadOnEventLoops({&loop_}, 1);
  std::optional<Result<FileRecord>> out;
  asio::post(loop_, [&] { nowhere.GetFileAsync(NewId(), [&](Result<FileRecord> r) { out = std::move(r); }); });
  RunLoopUntil([&] { return out.has_value(); });
  nowhere.StopReadingOnEventLoops();
  ASSERT_TRUE(out.has_value());
  ASSERT_FALSE(out->ok());
  EXPECT_EQ(out->status().code(), "database_unavailable");
}

TEST_F(AsyncReads, ReadsOffTheLoopThreadBlockAndAnswerInline) {
  // Called from a thread that does not run the loop, a read falls back to
  // the blocking pool and completes before it returns.
  std::optional<Result<FileRecord>> out;
  store_->GetFileAsync(files_[2].id, [&](Result<FileRecord> r) { out = std::move(r); });
  ASSERT_TRUE(out.has_value());
  ASSERT_TRUE(out->ok());
  EXPECT_EQ((*out)->name, files_[2].name);
}

}  // namespace
}  // namespace arca
