// MetadataStore contract: every adapter of the port (SQLite now, PostgreSQL
// later) must pass these tests. They use the port interface only; an adapter
// joins by adding one line to kFactories at the bottom.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "adapters/postgres/pg_metadata_store.hpp"
#include "adapters/sqlite/sqlite_metadata_store.hpp"
#include "contract/pg_databases.hpp"
#include "core/ids.hpp"
#include "contract/temp_dir.hpp"
#include "ports/metadata_store.hpp"

namespace arca {
namespace {
namespace fs = std::filesystem;

using testing::TempDir;

struct MetadataStoreFactory {
  std::string name;
  // Opens an empty store whose data lives under `dir` (or is otherwise fresh).
  std::function<Result<std::unique_ptr<MetadataStore>>(const fs::path& dir)> open;
};
void PrintTo(const MetadataStoreFactory& f, std::ostream* os) { *os << f.name; }

Result<std::unique_ptr<MetadataStore>> OpenSqlite(const fs::path& dir) {
  auto s = sqlite::SqliteMetadataStore::Open((dir / "arca.db").string());
  if (!s.ok()) return s.status();
  return std::unique_ptr<MetadataStore>(std::move(s).value());
}

constexpr Micros kT0 = 1'780'000'000'000'000;  // 2026-05-28, a fixed base time
constexpr Micros kMinute = 60'000'000;

std::vector<std::string> Ids(const std::vector<FileRecord>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.id);
  return out;
}
std::set<std::string> IdSet(const std::vector<FileRecord>& files) {
  auto v = Ids(files);
  return {v.begin(), v.end()};
}

class MetadataStoreContract : public ::testing::TestWithParam<MetadataStoreFactory> {
 protected:
  void SetUp() override {
    auto s = GetParam().open(dir_.path());
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->Migrate().ok());
    alice_ = MakeUser("alice");
    bob_ = MakeUser("bob");
  }

  User MakeUser(const std::string& name, bool admin = false) {
    User u{NewId(), name, "$argon2id$v=19$fake-hash-of-" + name, admin, kT0};
    Status st = store_->CreateUser(u);
    EXPECT_TRUE(st.ok()) << st.message();
    return u;
  }

  // A valid record; tests change what they look at.
  FileRecord File(const std::string& name, const User& owner, Micros created = kT0, std::int64_t size = 100) {
    FileRecord f;
    f.id = NewId();
    f.name = name;
    f.folder = "";
    f.project = "";
    f.owner_id = owner.id;
    f.size = size;
    f.content_type = "application/octet-stream";
    f.declared_content_type = "";
    f.sha256 = std::string(64, 'a');
    f.description = "";
    f.status = ReviewStatus::kPending;
    f.state = FileState::kReady;
    f.bucket = "arca";
    f.object_key = "files/" + f.id;
    f.created_at = f.updated_at = created;
    return f;
  }

  void Insert(const std::vector<FileRecord>& files) {
    Status st = store_->InsertFiles(files);
    ASSERT_TRUE(st.ok()) << st.message();
  }

  std::vector<FileRecord> List(ListQuery q) {
    q.limit = 1000;
    auto page = store_->ListFiles(q);
    EXPECT_TRUE(page.ok()) << page.status().message();
    if (!page.ok()) return {};
    EXPECT_FALSE(page->next.has_value());
    return page->items;
  }

  TempDir dir_;
  std::unique_ptr<MetadataStore> store_;
  User alice_, bob_;
};

// --- schema and users -------------------------------------------------------

TEST_P(MetadataStoreContract, MigratingTwiceKeepsTheData) {
  FileRecord f = File("a.txt", alice_);
  Insert({f});
  ASSERT_TRUE(store_->Migrate().ok());
  ASSERT_TRUE(store_->Migrate().ok());
  EXPECT_TRUE(store_->Ping().ok());
  EXPECT_TRUE(store_->FindUserByName("alice").ok());
  EXPECT_TRUE(store_->GetFile(f.id).ok());
}

TEST_P(MetadataStoreContract, CreatedUserIsFoundByNameAndById) {
  User admin = MakeUser("root.admin", true);
  auto by_name = store_->FindUserByName("root.admin");
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name->id, admin.id);
  EXPECT_EQ(by_name->username, "root.admin");
  EXPECT_EQ(by_name->password_hash, admin.password_hash);
  EXPECT_TRUE(by_name->is_admin);
  EXPECT_EQ(by_name->created_at, kT0);

  auto by_id = store_->FindUserById(alice_.id);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->username, "alice");
  EXPECT_FALSE(by_id->is_admin);

  auto count = store_->CountUsers();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 3);
}

TEST_P(MetadataStoreContract, UnknownUserIsNotFound) {
  EXPECT_EQ(store_->FindUserByName("nobody").status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store_->FindUserById(NewId()).status().kind(), ErrorKind::kNotFound);
}

TEST_P(MetadataStoreContract, DuplicateUsernameIsConflictUserExists) {
  User again{NewId(), "alice", "other-hash", false, kT0};
  Status st = store_->CreateUser(again);
  EXPECT_EQ(st.kind(), ErrorKind::kConflict);
  EXPECT_EQ(st.code(), "user_exists");
  EXPECT_EQ(store_->FindUserByName("alice")->id, alice_.id);
  EXPECT_EQ(*store_->CountUsers(), 2);
}

// --- insert, get, delete ----------------------------------------------------

TEST_P(MetadataStoreContract, InsertedFileReadsBackWithEveryField) {
  FileRecord f = File("relatório final (2) \"ção\".pdf", alice_, kT0 + 123456, (std::int64_t{5} << 30) + 7);
  f.folder = "relatórios/2026";
  f.project = "apollo";
  f.content_type = "application/pdf";
  f.declared_content_type = "application/octet-stream";
  f.sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  f.description = "Linha 1\nLinha 2 — acentos e \"aspas\"";
  f.tags = {"finanças", "q4"};
  f.status = ReviewStatus::kApproved;
  f.bucket = "my-bucket";
  f.updated_at = kT0 + 999;
  Insert({f});

  auto got = store_->GetFile(f.id);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->id, f.id);
  EXPECT_EQ(got->name, f.name);
  EXPECT_EQ(got->folder, f.folder);
  EXPECT_EQ(got->project, f.project);
  EXPECT_EQ(got->owner_id, alice_.id);
  EXPECT_EQ(got->owner_username, "alice");
  EXPECT_EQ(got->size, f.size);
  EXPECT_EQ(got->content_type, f.content_type);
  EXPECT_EQ(got->declared_content_type, f.declared_content_type);
  EXPECT_EQ(got->sha256, f.sha256);
  EXPECT_EQ(got->description, f.description);
  EXPECT_EQ(got->tags, f.tags);
  EXPECT_EQ(got->status, ReviewStatus::kApproved);
  EXPECT_EQ(got->state, FileState::kReady);
  EXPECT_EQ(got->bucket, f.bucket);
  EXPECT_EQ(got->object_key, f.object_key);
  EXPECT_EQ(got->created_at, f.created_at);
  EXPECT_EQ(got->updated_at, f.updated_at);
}

TEST_P(MetadataStoreContract, InsertingAnExistingIdAgainKeepsTheOriginal) {
  FileRecord f = File("original.txt", alice_);
  f.description = "first";
  Insert({f});

  FileRecord again = f;
  again.name = "changed.txt";
  again.description = "second";
  again.size = 999;
  FileRecord other = File("other.txt", alice_);
  Insert({again, other});  // a redelivered batch: the known row is skipped, the new one goes in

  auto got = store_->GetFile(f.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "original.txt");
  EXPECT_EQ(got->description, "first");
  EXPECT_EQ(got->size, 100);
  EXPECT_TRUE(store_->GetFile(other.id).ok());
  EXPECT_EQ(List({}).size(), 2u);
}

TEST_P(MetadataStoreContract, DeletedFileNeverComesBackThroughInsert) {
  FileRecord f = File("gone.txt", alice_);
  Insert({f});
  ASSERT_TRUE(store_->MarkDeleting(f.id, kT0 + 1).ok());
  ASSERT_TRUE(store_->DeleteFile(f.id).ok());
  EXPECT_EQ(store_->GetFile(f.id).status().kind(), ErrorKind::kNotFound);

  Insert({f});  // the upload event is redelivered after the delete
  EXPECT_EQ(store_->GetFile(f.id).status().kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(List({}).empty());
}

TEST_P(MetadataStoreContract, GetOfUnknownFileIsNotFound) {
  EXPECT_EQ(store_->GetFile(NewId()).status().kind(), ErrorKind::kNotFound);
}

TEST_P(MetadataStoreContract, DeleteOfAbsentFileSucceeds) {
  EXPECT_TRUE(store_->DeleteFile(NewId()).ok());
  FileRecord f = File("a.txt", alice_);
  Insert({f});
  ASSERT_TRUE(store_->DeleteFile(f.id).ok());
  EXPECT_TRUE(store_->DeleteFile(f.id).ok());
  EXPECT_EQ(store_->GetFile(f.id).status().kind(), ErrorKind::kNotFound);
}

TEST_P(MetadataStoreContract, MarkDeletingTwiceIsNotFoundTheSecondTime) {
  FileRecord f = File("a.txt", alice_);
  Insert({f});
  auto first = store_->MarkDeleting(f.id, kT0 + kMinute);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->state, FileState::kDeleting);
  EXPECT_EQ(first->updated_at, kT0 + kMinute);
  EXPECT_EQ(store_->MarkDeleting(f.id, kT0 + 2 * kMinute).status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store_->MarkDeleting(NewId(), kT0).status().kind(), ErrorKind::kNotFound);
}

TEST_P(MetadataStoreContract, ListingNeverShowsDeletingFilesButGetDoes) {
  FileRecord keep = File("keep.txt", alice_);
  FileRecord gone = File("gone.txt", alice_);
  Insert({keep, gone});
  ASSERT_TRUE(store_->MarkDeleting(gone.id, kT0 + 1).ok());

  EXPECT_EQ(Ids(List({})), std::vector<std::string>{keep.id});
  ListQuery asking_for_deleting;
  asking_for_deleting.state = FileState::kDeleting;
  EXPECT_TRUE(List(asking_for_deleting).empty());
  ListQuery by_name;
  by_name.q = "gone";
  EXPECT_TRUE(List(by_name).empty());

  auto got = store_->GetFile(gone.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, FileState::kDeleting);
}

// --- listing filters ----------------------------------------------------------

TEST_P(MetadataStoreContract, OwnerFilterShowsOnlyThatOwnersFiles) {
  FileRecord a = File("a.txt", alice_), b = File("b.txt", bob_);
  Insert({a, b});
  ListQuery q;
  q.owner_id = alice_.id;
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{a.id});
  q.owner_id = bob_.id;
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{b.id});
  q.owner_id = NewId();
  EXPECT_TRUE(List(q).empty());
  EXPECT_EQ(List({}).size(), 2u);
}

TEST_P(MetadataStoreContract, VisibleOwnerLimitsResultsEvenWithAnotherOwnerFilter) {
  FileRecord a = File("a.txt", alice_), b = File("b.txt", bob_);
  Insert({a, b});
  ListQuery q;
  q.visible_owner = alice_.id;
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{a.id});
  q.owner_id = bob_.id;  // alice asks for bob's files: nothing, not bob's files
  EXPECT_TRUE(List(q).empty());
  q.owner_id = alice_.id;
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{a.id});
}

TEST_P(MetadataStoreContract, ProjectFilterMatchesExactly) {
  FileRecord a = File("a.txt", alice_), b = File("b.txt", alice_), c = File("c.txt", alice_);
  a.project = "apollo";
  b.project = "apollo-2";
  Insert({a, b, c});
  ListQuery q;
  q.project = "apollo";
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{a.id});
}

TEST_P(MetadataStoreContract, FolderFilterMatchesExactlyThatFolder) {
  FileRecord root = File("r.txt", alice_), a = File("a.txt", alice_), sub = File("s.txt", alice_);
  a.folder = "relatórios";
  sub.folder = "relatórios/2026";
  Insert({root, a, sub});
  ListQuery q;
  q.folder = "relatórios";
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{a.id});
  q.folder = "";
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{root.id});
}

TEST_P(MetadataStoreContract, StatusFilterMatchesReviewStatus) {
  FileRecord p = File("p.txt", alice_), a = File("a.txt", alice_), r = File("r.txt", alice_);
  a.status = ReviewStatus::kApproved;
  r.status = ReviewStatus::kRejected;
  Insert({p, a, r});
  ListQuery q;
  q.status = ReviewStatus::kApproved;
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{a.id});
  q.status = ReviewStatus::kPending;
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{p.id});
}

TEST_P(MetadataStoreContract, StateFilterMatchesLifecycleState) {
  FileRecord ready = File("a.txt", alice_), missing = File("b.txt", alice_), quarantined = File("c.txt", alice_);
  missing.state = FileState::kMissing;
  quarantined.state = FileState::kQuarantined;
  Insert({ready, missing, quarantined});
  ListQuery q;
  q.state = FileState::kMissing;
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{missing.id});
  q.state = FileState::kReady;
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{ready.id});
}

TEST_P(MetadataStoreContract, TagFilterMatchesAnyOfTheTags) {
  FileRecord a = File("a.txt", alice_), b = File("b.txt", alice_), c = File("c.txt", alice_);
  a.tags = {"finanças", "q4"};
  b.tags = {"q4"};
  c.tags = {"q4x"};
  Insert({a, b, c});
  ListQuery q;
  q.tag = "q4";
  EXPECT_EQ(IdSet(List(q)), (std::set<std::string>{a.id, b.id}));
  q.tag = "finanças";
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{a.id});
  q.tag = "q";
  EXPECT_TRUE(List(q).empty());
}

TEST_P(MetadataStoreContract, UploadTimeWindowFiltersByCreatedAt) {
  FileRecord early = File("a.txt", alice_, kT0), mid = File("b.txt", alice_, kT0 + 10 * kMinute),
             late = File("c.txt", alice_, kT0 + 20 * kMinute);
  Insert({early, mid, late});
  ListQuery q;
  q.uploaded_after = kT0 + 5 * kMinute;
  EXPECT_EQ(IdSet(List(q)), (std::set<std::string>{mid.id, late.id}));
  q.uploaded_before = kT0 + 15 * kMinute;
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{mid.id});
  q.uploaded_after.reset();
  EXPECT_EQ(IdSet(List(q)), (std::set<std::string>{early.id, mid.id}));
}

TEST_P(MetadataStoreContract, SizeRangeIsInclusive) {
  FileRecord s0 = File("a", alice_, kT0, 0), s10 = File("b", alice_, kT0, 10), s20 = File("c", alice_, kT0, 20);
  FileRecord big = File("d", alice_, kT0, std::int64_t{6} << 30);
  Insert({s0, s10, s20, big});
  ListQuery q;
  q.min_size = 10;
  EXPECT_EQ(IdSet(List(q)), (std::set<std::string>{s10.id, s20.id, big.id}));
  q.max_size = 20;
  EXPECT_EQ(IdSet(List(q)), (std::set<std::string>{s10.id, s20.id}));
  q.min_size.reset();
  q.max_size = 0;
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{s0.id});
  q.max_size.reset();
  q.min_size = std::int64_t{5} << 30;
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{big.id});
}

TEST_P(MetadataStoreContract, TypeExtensionMatchesTheExtensionOrItsUsualMime) {
  FileRecord named = File("Relatório.PDF", alice_);  // extension by name, any case
  named.content_type = "application/octet-stream";
  FileRecord sniffed = File("scan", alice_);  // no extension, but the bytes are a PDF
  sniffed.content_type = "application/pdf";
  FileRecord text = File("notes.txt", alice_);
  text.content_type = "text/plain";
  FileRecord lookalike = File("pdf.txt", alice_);
  lookalike.content_type = "text/plain";
  Insert({named, sniffed, text, lookalike});
  ListQuery q;
  q.type = TypeFilter{"pdf", "", ""};
  EXPECT_EQ(IdSet(List(q)), (std::set<std::string>{named.id, sniffed.id}));
  q.type = TypeFilter{"weird", "", ""};  // an extension with no known MIME type
  EXPECT_TRUE(List(q).empty());
}

TEST_P(MetadataStoreContract, TypeMimeMatchesExactly) {
  FileRecord png = File("a.png", alice_), pngx = File("b", alice_), jpeg = File("c.jpg", alice_);
  png.content_type = "image/png";
  pngx.content_type = "image/pngx";
  jpeg.content_type = "image/jpeg";
  Insert({png, pngx, jpeg});
  ListQuery q;
  q.type = TypeFilter{"", "image/png", ""};
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{png.id});
}

TEST_P(MetadataStoreContract, TypeMimePrefixMatchesTheWholeFamily) {
  FileRecord png = File("a.png", alice_), jpeg = File("b.jpg", alice_), pdf = File("c.pdf", alice_),
             tricky = File("d", alice_);
  png.content_type = "image/png";
  jpeg.content_type = "image/jpeg";
  pdf.content_type = "application/pdf";
  tricky.content_type = "application/x-image/png";
  Insert({png, jpeg, pdf, tricky});
  ListQuery q;
  q.type = TypeFilter{"", "", "image/"};
  EXPECT_EQ(IdSet(List(q)), (std::set<std::string>{png.id, jpeg.id}));
}

TEST_P(MetadataStoreContract, SearchFindsWordPrefixesIgnoringAccents) {
  FileRecord rel = File("relatório anual.pdf", alice_), other = File("orçamento.xlsx", alice_);
  Insert({rel, other});
  for (const char* words : {"relatorio", "relatório", "RELAT", "relat anual", "orcamento", "anual"}) {
    SCOPED_TRACE(words);
    ListQuery q;
    q.q = words;
    auto got = List(q);
    EXPECT_EQ(got.size(), 1u);
  }
  ListQuery q;
  q.q = "relatorio";
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{rel.id});
  q.q = "xyz";  // in no name and no description
  EXPECT_TRUE(List(q).empty());
}

TEST_P(MetadataStoreContract, SearchFindsPartsOfNamesFromThreeCharacters) {
  FileRecord sheet = File("planilha2026.xlsx", alice_), other = File("contrato.pdf", alice_);
  Insert({sheet, other});
  ListQuery q;
  q.q = "nilha";  // inside the name, not at the start of a word
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{sheet.id});
  q.q = "2026";
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{sheet.id});
  q.q = "ni";  // too short to match inside a word
  EXPECT_TRUE(List(q).empty());
}

TEST_P(MetadataStoreContract, SearchLooksInTheDescription) {
  FileRecord f = File("scan-001.png", alice_), g = File("scan-002.png", alice_);
  f.description = "Contrato de locação assinado";
  Insert({f, g});
  ListQuery q;
  q.q = "locacao";
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{f.id});
}

TEST_P(MetadataStoreContract, SearchRequiresEveryWord) {
  FileRecord a = File("relatório anual.pdf", alice_), b = File("relatório mensal.pdf", alice_);
  Insert({a, b});
  ListQuery q;
  q.q = "relatorio mensal";
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{b.id});
  q.q = "relatorio trimestral";
  EXPECT_TRUE(List(q).empty());
}

TEST_P(MetadataStoreContract, SearchTreatsQuerySyntaxAsPlainText) {
  FileRecord a = File("a \"quoted\" (name) OR * -x.txt", alice_);
  Insert({a});
  for (const char* words : {"\"", "*", "OR", "(name)", "a -x", "NEAR(", "\"quoted"}) {
    SCOPED_TRACE(words);
    ListQuery q;
    q.q = words;
    auto page = store_->ListFiles(q);
    EXPECT_TRUE(page.ok()) << page.status().message();
  }
}

TEST_P(MetadataStoreContract, FiltersCombineAsAnd) {
  FileRecord hit = File("relatório.pdf", alice_, kT0 + kMinute, 50);
  hit.project = "apollo";
  hit.tags = {"q4"};
  FileRecord wrong_owner = hit;
  wrong_owner.id = NewId();
  wrong_owner.object_key = "files/" + wrong_owner.id;
  wrong_owner.owner_id = bob_.id;
  FileRecord wrong_tag = hit;
  wrong_tag.id = NewId();
  wrong_tag.object_key = "files/" + wrong_tag.id;
  wrong_tag.tags = {"q3"};
  Insert({hit, wrong_owner, wrong_tag});
  ListQuery q;
  q.owner_id = alice_.id;
  q.project = "apollo";
  q.tag = "q4";
  q.q = "relatorio";
  q.min_size = 10;
  q.uploaded_after = kT0;
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{hit.id});
}

TEST_P(MetadataStoreContract, ConcurrentInsertsAndListingsAllSucceed) {
  constexpr int kThreads = 4, kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        FileRecord f = File("t" + std::to_string(t) + "-" + std::to_string(i) + ".txt", t % 2 ? alice_ : bob_,
                            kT0 + i * kMinute);
        if (!store_->InsertFiles({f}).ok()) ++failures;
        ListQuery q;
        q.limit = 10;
        q.q = "t" + std::to_string(t);
        if (!store_->ListFiles(q).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(List({}).size(), static_cast<size_t>(kThreads * kPerThread));
}

// --- sorting and keyset pagination -------------------------------------------

TEST_P(MetadataStoreContract, CursorWalkYieldsEveryRowOnceInSortOrder) {
  // 25 rows with repeated sort keys, so the id tie-breaker matters.
  std::vector<FileRecord> rows;
  for (int i = 0; i < 25; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "doc%02d.txt", (i * 7) % 10);
    FileRecord f = File(name, i % 2 ? alice_ : bob_, kT0 + (i % 6) * kMinute, 1000 + (i * 13) % 5);
    rows.push_back(f);
  }
  Insert(rows);

  for (SortField sort : {SortField::kCreatedAt, SortField::kName, SortField::kSize}) {
    for (bool desc : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "sort " << static_cast<int>(sort) << (desc ? " desc" : " asc"));
      std::vector<FileRecord> want = rows;
      auto key = [sort](const FileRecord& f) -> std::pair<std::variant<std::int64_t, std::string>, std::string> {
        if (sort == SortField::kName) return {f.name, f.id};
        if (sort == SortField::kSize) return {f.size, f.id};
        return {f.created_at, f.id};
      };
      std::sort(want.begin(), want.end(), [&](const FileRecord& a, const FileRecord& b) {
        return desc ? key(b) < key(a) : key(a) < key(b);
      });

      std::vector<std::string> got;
      ListQuery q;
      q.sort = sort;
      q.descending = desc;
      q.limit = 4;
      int pages = 0;
      for (;;) {
        auto page = store_->ListFiles(q);
        ASSERT_TRUE(page.ok()) << page.status().message();
        ASSERT_LE(page->items.size(), 4u);
        for (const auto& f : page->items) got.push_back(f.id);
        ++pages;
        ASSERT_LE(pages, 10) << "the cursor walk does not end";
        if (!page->next) break;
        EXPECT_EQ(page->items.size(), 4u) << "only the last page may be short";
        q.cursor = *page->next;
      }
      EXPECT_EQ(pages, 7);  // 6 full pages of 4, then 1 row
      EXPECT_EQ(got, Ids(want));
    }
  }
}

TEST_P(MetadataStoreContract, LastPageHasNoCursor) {
  Insert({File("a", alice_), File("b", alice_)});
  ListQuery q;
  q.limit = 2;
  auto page = store_->ListFiles(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 2u);
  EXPECT_FALSE(page->next.has_value());
}

// --- updates -----------------------------------------------------------------

TEST_P(MetadataStoreContract, PartialPatchChangesOnlyTheGivenFields) {
  FileRecord f = File("a.txt", alice_, kT0);
  f.folder = "docs";
  f.description = "old";
  f.tags = {"x"};
  Insert({f});

  FilePatch p;
  p.description = "new";
  p.status = ReviewStatus::kApproved;
  auto got = store_->UpdateFile(f.id, p, kT0 + kMinute);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->description, "new");
  EXPECT_EQ(got->status, ReviewStatus::kApproved);
  EXPECT_EQ(got->name, "a.txt");
  EXPECT_EQ(got->folder, "docs");
  EXPECT_EQ(got->tags, std::vector<std::string>{"x"});
  EXPECT_EQ(got->size, f.size);
  EXPECT_EQ(got->owner_username, "alice");
  EXPECT_EQ(got->created_at, kT0);
  EXPECT_EQ(got->updated_at, kT0 + kMinute);

  auto reread = store_->GetFile(f.id);
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(reread->description, "new");
  EXPECT_EQ(reread->folder, "docs");
}

TEST_P(MetadataStoreContract, PatchReplacesTagsAndTheTagFilterFollows) {
  FileRecord f = File("a.txt", alice_);
  f.tags = {"old", "keep"};
  Insert({f});
  FilePatch p;
  p.tags = std::vector<std::string>{"keep", "new"};
  auto got = store_->UpdateFile(f.id, p, kT0 + 1);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->tags, (std::vector<std::string>{"keep", "new"}));

  ListQuery q;
  q.tag = "old";
  EXPECT_TRUE(List(q).empty());
  q.tag = "new";
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{f.id});
  q.tag = "keep";
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{f.id});

  p.tags = std::vector<std::string>{};
  ASSERT_TRUE(store_->UpdateFile(f.id, p, kT0 + 2).ok());
  EXPECT_TRUE(List(q).empty());
  EXPECT_TRUE(store_->GetFile(f.id)->tags.empty());
}

TEST_P(MetadataStoreContract, RenameIsFollowedBySearchAndTypeFilter) {
  FileRecord f = File("rascunho.txt", alice_);
  f.content_type = "text/plain";
  Insert({f});
  FilePatch p;
  p.name = "orçamento.csv";
  p.folder = "finanças";
  ASSERT_TRUE(store_->UpdateFile(f.id, p, kT0 + 1).ok());

  ListQuery q;
  q.q = "rascunho";
  EXPECT_TRUE(List(q).empty());
  q.q = "orcamento";
  EXPECT_EQ(Ids(List(q)), std::vector<std::string>{f.id});
  ListQuery t;
  t.type = TypeFilter{"csv", "", ""};
  EXPECT_EQ(Ids(List(t)), std::vector<std::string>{f.id});
  ListQuery folder;
  folder.folder = "finanças";
  EXPECT_EQ(Ids(List(folder)), std::vector<std::string>{f.id});
}

TEST_P(MetadataStoreContract, UpdateOfDeletingOrAbsentFileIsNotFound) {
  FileRecord f = File("a.txt", alice_);
  Insert({f});
  ASSERT_TRUE(store_->MarkDeleting(f.id, kT0 + 1).ok());
  FilePatch p;
  p.name = "b.txt";
  EXPECT_EQ(store_->UpdateFile(f.id, p, kT0 + 2).status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store_->GetFile(f.id)->name, "a.txt");
  EXPECT_EQ(store_->UpdateFile(NewId(), p, kT0 + 2).status().kind(), ErrorKind::kNotFound);
}

// --- for the reconciler ---------------------------------------------------------

TEST_P(MetadataStoreContract, ScanByObjectKeyWalksEveryStateInByteOrderPageByPage) {
  std::vector<std::string> keys{"files/b", "files/a", "files/C", "files/\xc3\xa9", "files/a0"};
  std::vector<FileRecord> files;
  for (auto& k : keys) {
    files.push_back(File("n", alice_));
    files.back().object_key = k;
  }
  Insert(files);
  ASSERT_TRUE(store_->MarkDeleting(files[0].id, kT0 + 1).ok());  // deleting rows are scanned too
  std::vector<std::string> seen;
  std::string after;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = store_->ScanByObjectKey(after, 2);
    ASSERT_TRUE(page.ok()) << page.status().message();
    if (page->empty()) break;
    EXPECT_LE(page->size(), 2u);
    for (auto& f : *page) seen.push_back(f.object_key);
    after = page->back().object_key;
  }
  // Bytes, not a locale: "C" (0x43) before "a", and "é" (0xC3 0xA9) last, as S3 lists them.
  EXPECT_EQ(seen, (std::vector<std::string>{"files/C", "files/a", "files/a0", "files/b", "files/\xc3\xa9"}));
}

TEST_P(MetadataStoreContract, MarkMissingMovesOnlyReadyFiles) {
  FileRecord ready = File("ready.txt", alice_), going = File("going.txt", alice_);
  Insert({ready, going});
  ASSERT_TRUE(store_->MarkDeleting(going.id, kT0 + 1).ok());
  ASSERT_TRUE(store_->MarkMissing(ready.id, kT0 + 2).ok());
  auto got = store_->GetFile(ready.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, FileState::kMissing);
  EXPECT_EQ(got->updated_at, kT0 + 2);
  EXPECT_EQ(store_->MarkMissing(ready.id, kT0 + 3).kind(), ErrorKind::kNotFound);  // already missing
  EXPECT_EQ(store_->MarkMissing(going.id, kT0 + 3).kind(), ErrorKind::kNotFound);  // deleting stays deleting
  EXPECT_EQ(store_->MarkMissing(NewId(), kT0 + 3).kind(), ErrorKind::kNotFound);
}

TEST_P(MetadataStoreContract, RenameMovesKeyNameAndFolderOnlyFromTheExpectedKey) {
  FileRecord f = File("old name.txt", alice_), going = File("going.txt", alice_);
  Insert({f, going});
  auto renamed = store_->RenameFile(f.id, f.object_key, "users/alice/docs/ação.pdf", "ação.pdf", "docs", kT0 + 5);
  ASSERT_TRUE(renamed.ok()) << renamed.status().message();
  EXPECT_EQ(renamed->object_key, "users/alice/docs/ação.pdf");
  EXPECT_EQ(renamed->name, "ação.pdf");
  EXPECT_EQ(renamed->folder, "docs");
  EXPECT_EQ(renamed->updated_at, kT0 + 5);
  EXPECT_EQ(renamed->size, f.size);
  // Searches see the new name: by extension and by words.
  ListQuery by_type;
  by_type.type = TypeFilter{"pdf", "", ""};
  auto pdfs = List(by_type);
  ASSERT_EQ(pdfs.size(), 1u);
  EXPECT_EQ(pdfs[0].id, f.id);
  ListQuery by_word;
  by_word.q = "ação";
  auto found = List(by_word);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, f.id);
  // A second rename from the old key finds the row moved on: nothing changes.
  EXPECT_EQ(store_->RenameFile(f.id, f.object_key, "users/alice/x", "x", "", kT0 + 6).status().kind(),
            ErrorKind::kNotFound);
  EXPECT_EQ(store_->GetFile(f.id)->name, "ação.pdf");
  // A file on its way out is not renamed.
  ASSERT_TRUE(store_->MarkDeleting(going.id, kT0 + 1).ok());
  EXPECT_EQ(store_->RenameFile(going.id, going.object_key, "users/alice/y", "y", "", kT0 + 6).status().kind(),
            ErrorKind::kNotFound);
  EXPECT_EQ(store_->RenameFile(NewId(), "k", "users/alice/z", "z", "", kT0 + 6).status().kind(), ErrorKind::kNotFound);
}

TEST_P(MetadataStoreContract, DeletedFileIsTombstonedAndOthersAreNot) {
  FileRecord f = File("a.txt", alice_);
  Insert({f});
  EXPECT_FALSE(*store_->IsTombstoned(f.id));
  ASSERT_TRUE(store_->DeleteFile(f.id).ok());
  EXPECT_TRUE(*store_->IsTombstoned(f.id));
  EXPECT_FALSE(*store_->IsTombstoned(NewId()));
}

TEST_P(MetadataStoreContract, LastReconcileSummaryIsTheNewestSaved) {
  auto none = store_->LastReconcileSummary();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(store_->SaveReconcileSummary(kT0, R"({"differences":3})").ok());
  ASSERT_TRUE(store_->SaveReconcileSummary(kT0 + 1, R"({"differences":0})").ok());
  auto last = store_->LastReconcileSummary();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->value_or(""), R"({"differences":0})");
}

// --- adapters ------------------------------------------------------------------

Result<std::unique_ptr<MetadataStore>> OpenPostgres(const fs::path& dir) {
  return std::unique_ptr<MetadataStore>(
      new postgres::PgMetadataStore(testing::PgDatabases::Get().UrlFor(dir), 4));
}

// PostgreSQL joins when a server is configured (scripts/test always does).
std::vector<MetadataStoreFactory> Factories() {
  std::vector<MetadataStoreFactory> f{{"Sqlite", OpenSqlite}};
  if (testing::PgServerUrl()) f.push_back({"Postgres", OpenPostgres});
  return f;
}

INSTANTIATE_TEST_SUITE_P(Adapters, MetadataStoreContract, ::testing::ValuesIn(Factories()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace arca
