// The reconciler's decisions, on in-memory fakes: what counts as a
// difference, what --fix does about each kind, and what it leaves alone.
// The same pass on real stores is in tests/integration/test_reconcile.py.
#include <gtest/gtest.h>

#include "app/reconcile.hpp"
#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "core/events.hpp"
#include "unit/fakes/fake_app.hpp"

namespace arca {
namespace {

constexpr Micros kHour = 3'600'000'000LL;

class ReconcileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice_ = f_.AddUser("alice");
    old_ = f_.clock.Now() - 2 * kHour;  // past the default grace of one hour
  }

  // A row and its object, as a finished upload leaves them.
  FileRecord Stored(const std::string& name, const std::string& bytes = "bytes") {
    FileRecord r;
    r.id = NewId();
    r.name = name;
    r.owner_id = alice_.id;
    r.size = static_cast<std::int64_t>(bytes.size());
    r.content_type = r.declared_content_type = "text/plain";
    r.sha256 = std::string(64, 'a');
    r.bucket = "fake-bucket";
    r.object_key = "files/" + r.id;
    r.created_at = r.updated_at = old_;
    EXPECT_TRUE(f_.meta.InsertFiles({r}).ok());
    f_.objects.Put(r.object_key, bytes, {}, old_);
    return r;
  }
  // An object whose own metadata can rebuild its row.
  std::string Orphan(const std::string& name, Micros modified, const std::string& owner = "") {
    const std::string id = NewId();
    f_.objects.Put("files/" + id, "orphan bytes",
                   {{"arca-id", id}, {"arca-owner", owner.empty() ? alice_.id : owner},
                    {"arca-name", PercentEncode(name)}, {"arca-folder", "docs"}, {"arca-project", ""}},
                   modified);
    return id;
  }
  ReconcileReport Run(bool fix, std::int64_t max_deletes = 1000) {
    ReconcileOptions o;
    o.fix = fix;
    o.max_deletes = max_deletes;
    o.page = 2;  // several pages even with a handful of files
    auto r = Reconcile(f_.app, o);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : ReconcileReport{};
  }

  fakes::FakeApp f_;
  User alice_;
  Micros old_ = 0;
};

TEST_F(ReconcileTest, AMirrorThatHoldsHasNoDifferences) {
  for (int i = 0; i < 5; ++i) Stored("f" + std::to_string(i));
  auto r = Run(false);
  EXPECT_EQ(r.objects, 5);
  EXPECT_EQ(r.rows, 5);
  EXPECT_EQ(r.differences(), 0);
  EXPECT_TRUE(r.examples.empty());
}

TEST_F(ReconcileTest, WithoutFixNothingChanges) {
  FileRecord gone = Stored("gone.txt");
  ASSERT_TRUE(f_.objects.Delete(gone.object_key).ok());
  const std::string orphan = Orphan("o.txt", old_);
  auto r = Run(false);
  EXPECT_EQ(r.missing, 1);
  EXPECT_EQ(r.orphans, 1);
  EXPECT_EQ(f_.meta.GetFile(gone.id)->state, FileState::kReady);
  EXPECT_TRUE(f_.objects.Has("files/" + orphan));
  EXPECT_EQ(f_.meta.GetFile(orphan).status().kind(), ErrorKind::kNotFound);
}

TEST_F(ReconcileTest, OrphanWithValidMetadataIsAdoptedWithItsHashAndName) {
  const std::string id = Orphan("relatório final.pdf", old_);
  auto r = Run(true);
  EXPECT_EQ(r.orphans, 1);
  EXPECT_EQ(r.adopted, 1);
  auto row = f_.meta.GetFile(id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->name, "relatório final.pdf");
  EXPECT_EQ(row->folder, "docs");
  EXPECT_EQ(row->owner_id, alice_.id);
  EXPECT_EQ(row->size, 12);
  EXPECT_EQ(row->sha256, Sha256Hex("orphan bytes"));
  EXPECT_EQ(row->state, FileState::kReady);
  EXPECT_EQ(Run(false).differences(), 0);
}

TEST_F(ReconcileTest, YoungOrphanIsAnUploadInFlightAndIsLeftAlone) {
  const std::string id = Orphan("new.txt", f_.clock.Now() - 1'000'000);
  auto r = Run(true);
  EXPECT_EQ(r.young, 1);
  EXPECT_EQ(r.differences(), 0);
  EXPECT_TRUE(f_.objects.Has("files/" + id));
  EXPECT_EQ(f_.meta.GetFile(id).status().kind(), ErrorKind::kNotFound);
}

TEST_F(ReconcileTest, OrphanWithoutUsableMetadataOrOfADeletedFileIsRemoved) {
  f_.objects.Put("files/junk", "no metadata", {}, old_);
  const std::string stranger = Orphan("x.txt", old_, NewId());  // owner unknown
  FileRecord deleted = Stored("deleted.txt");
  ASSERT_TRUE(f_.meta.DeleteFile(deleted.id).ok());  // row and tombstone gone, object left behind
  auto r = Run(true);
  EXPECT_EQ(r.orphans, 3);
  EXPECT_EQ(r.orphans_deleted, 3);
  EXPECT_EQ(r.adopted, 0);
  EXPECT_FALSE(f_.objects.Has("files/junk"));
  EXPECT_FALSE(f_.objects.Has("files/" + stranger));
  EXPECT_FALSE(f_.objects.Has(deleted.object_key));
  EXPECT_EQ(f_.meta.GetFile(deleted.id).status().kind(), ErrorKind::kNotFound);  // never comes back
}

TEST_F(ReconcileTest, DeletesAreCappedPerPass) {
  for (int i = 0; i < 5; ++i) f_.objects.Put("files/junk" + std::to_string(i), "x", {}, old_);
  auto r = Run(true, 2);
  EXPECT_EQ(r.orphans_deleted, 2);
  EXPECT_EQ(r.orphans_left, 3);
  EXPECT_EQ(Run(true, 2).orphans_deleted, 2);
  EXPECT_EQ(Run(true, 2).orphans_deleted, 1);
  EXPECT_EQ(Run(false).differences(), 0);
}

TEST_F(ReconcileTest, ReadyRowWithoutObjectIsMarkedMissingOnce) {
  FileRecord gone = Stored("gone.txt");
  ASSERT_TRUE(f_.objects.Delete(gone.object_key).ok());
  auto r = Run(true);
  EXPECT_EQ(r.missing, 1);
  EXPECT_EQ(r.marked_missing, 1);
  EXPECT_EQ(f_.meta.GetFile(gone.id)->state, FileState::kMissing);
  EXPECT_EQ(Run(false).differences(), 0);  // known now, no longer a difference
}

TEST_F(ReconcileTest, StuckDeleteIsSentAgainButAFreshOneIsNot) {
  FileRecord stuck = Stored("stuck.txt"), fresh = Stored("fresh.txt");
  ASSERT_TRUE(f_.meta.MarkDeleting(stuck.id, old_).ok());
  ASSERT_TRUE(f_.meta.MarkDeleting(fresh.id, f_.clock.Now()).ok());
  auto r = Run(true);
  EXPECT_EQ(r.stuck, 1);
  EXPECT_EQ(r.deletes_reissued, 1);
  auto sent = f_.bus.PublishedTo(Topics{}.delete_requested);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].key, stuck.id);
  auto ev = ParseDeleteRequested(sent[0].payload);
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(ev->object_key, stuck.object_key);
}

TEST_F(ReconcileTest, SizeMismatchIsReported) {
  FileRecord r = Stored("s.txt", "12345");
  f_.objects.Put(r.object_key, "123", {}, old_);
  auto rep = Run(true);
  EXPECT_EQ(rep.size_mismatches, 1);
  ASSERT_EQ(rep.examples.size(), 1u);
  EXPECT_EQ(rep.examples[0].kind, "size_mismatch");
}

TEST_F(ReconcileTest, OnlyTheLayoutPrefixIsCompared) {
  f_.objects.Put("files2/not-ours", "x", {}, old_);
  f_.objects.Put("filex", "x", {}, old_);
  auto r = Run(true);
  EXPECT_EQ(r.objects, 0);
  EXPECT_EQ(r.differences(), 0);
  EXPECT_TRUE(f_.objects.Has("files2/not-ours"));
}

TEST_F(ReconcileTest, AbandonedUploadsAreAbortedAndFreshOnesAreNot) {
  f_.objects.unfinished = {{"files/a", "u1", old_}, {"files/b", "u2", f_.clock.Now()}};
  auto r = Run(true);
  EXPECT_EQ(r.abandoned_uploads, 1);
  EXPECT_EQ(r.uploads_aborted, 1);
  ASSERT_EQ(f_.objects.unfinished.size(), 1u);
  EXPECT_EQ(f_.objects.unfinished[0].id, "u2");
}

TEST_F(ReconcileTest, JsonSummaryCarriesTheCounts) {
  f_.objects.Put("files/junk", "x", {}, old_);
  const std::string json = ToJson(Run(false));
  EXPECT_NE(json.find("\"differences\":1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"orphans\":1"), std::string::npos) << json;
}

// --- the named layout -----------------------------------------------------------

class NamedReconcileTest : public ReconcileTest {
 protected:
  void SetUp() override {
    ReconcileTest::SetUp();
    f_.app.settings.key_layout = KeyLayout::kNamed;
  }
  FileRecord NamedStored(const std::string& key) {
    FileRecord r;
    r.id = NewId();
    r.name = key.substr(key.rfind('/') + 1);
    r.owner_id = alice_.id;
    r.size = 5;
    r.content_type = r.declared_content_type = "text/plain";
    r.sha256 = std::string(64, 'a');
    r.bucket = "fake-bucket";
    r.object_key = key;
    r.created_at = r.updated_at = old_;
    EXPECT_TRUE(f_.meta.InsertFiles({r}).ok());
    f_.objects.Put(key, "bytes", {{"arca-id", r.id}}, old_);
    return r;
  }
};

TEST_F(NamedReconcileTest, ComparesNamedKeysAndLeavesOpaqueOnesAlone) {
  NamedStored("users/alice/a.txt");
  NamedStored("users/alice/docs/b.txt");
  Stored("opaque.txt");  // files/<id>: another layout's key, not compared
  auto r = Run(true);
  EXPECT_EQ(r.objects, 2);
  EXPECT_EQ(r.rows, 2);
  EXPECT_EQ(r.differences(), 0);
}

TEST_F(NamedReconcileTest, ARenamesLeftoverCopyIsRemoved) {
  // The row moved to b.txt; the crash kept the old object at a.txt.
  FileRecord f = NamedStored("users/alice/b.txt");
  f_.objects.Put("users/alice/a.txt", "bytes", {{"arca-id", f.id}}, old_);
  auto r = Run(true);
  EXPECT_EQ(r.orphans, 1);
  EXPECT_EQ(r.orphans_deleted, 1);
  EXPECT_EQ(r.adopted, 0);
  EXPECT_FALSE(f_.objects.Has("users/alice/a.txt"));
  EXPECT_TRUE(f_.objects.Has("users/alice/b.txt"));
  EXPECT_EQ(Run(false).differences(), 0);
}

TEST_F(NamedReconcileTest, TheOnlyCopyOfAFileIsNeverRemoved) {
  // The row points at a key whose object is gone; the bytes live on elsewhere.
  FileRecord f = NamedStored("users/alice/b.txt");
  ASSERT_TRUE(f_.objects.Delete("users/alice/b.txt").ok());
  f_.objects.Put("users/alice/a.txt", "bytes", {{"arca-id", f.id}}, old_);
  auto r = Run(true);
  EXPECT_TRUE(f_.objects.Has("users/alice/a.txt"));
  EXPECT_EQ(r.orphans_deleted, 0);
  EXPECT_EQ(r.orphans_left, 1);
}

TEST_F(NamedReconcileTest, ANamedOrphanIsAdoptedUnderItsOwnKey) {
  const std::string id = NewId();
  f_.objects.Put("users/alice/docs/lost ação.txt", "orphan bytes",
                 {{"arca-id", id}, {"arca-owner", alice_.id}, {"arca-name", PercentEncode("lost ação.txt")},
                  {"arca-folder", "docs"}, {"arca-project", ""}},
                 old_);
  auto r = Run(true);
  EXPECT_EQ(r.adopted, 1);
  auto row = f_.meta.GetFile(id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->object_key, "users/alice/docs/lost ação.txt");
  EXPECT_EQ(row->name, "lost ação.txt");
}

}  // namespace
}  // namespace arca
