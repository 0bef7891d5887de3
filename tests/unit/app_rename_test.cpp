// Physical renames (named layout): PATCH checks and queues them; MoveFile
// (the renamer) copies, points the row at the new key, then removes the old
// object, and is safe to run twice or after a crash half-way.
#include <gtest/gtest.h>

#include "app/background_work.hpp"
#include "app/change_files.hpp"
#include "core/encoding.hpp"
#include "core/events.hpp"
#include "core/ids.hpp"
#include "unit/fakes/fake_app.hpp"

namespace arca {
namespace {

using fakes::FakeApp;

class RenameTest : public ::testing::Test {
 protected:
  RenameTest() {
    f_.app.settings.key_layout = KeyLayout::kNamed;
    alice_ = f_.AddUser("alice");
  }

  FileRecord Stored(const std::string& name, const std::string& folder = "") {
    FileRecord r;
    r.id = NewId();
    r.name = name;
    r.folder = folder;
    r.owner_id = alice_.id;
    r.owner_username = "alice";
    r.size = 3;
    r.content_type = "text/plain";
    r.sha256 = std::string(64, 'a');
    r.state = FileState::kReady;
    r.bucket = f_.objects.Bucket();
    r.object_key = *NamedObjectKey("alice", folder, name);
    r.created_at = r.updated_at = f_.clock.Now();
    EXPECT_TRUE(f_.meta.InsertFiles({r}).ok());
    f_.objects.Put(r.object_key, "abc", {{"arca-id", r.id}});
    return r;
  }
  Caller Alice() const { return Caller{alice_.id, alice_.username, false}; }
  FilePatch Named(std::string name) {
    FilePatch p;
    p.name = std::move(name);
    return p;
  }
  RenameRequested OnlyRenameEvent() {
    auto published = f_.bus.PublishedTo("renomear-arquivo");
    EXPECT_EQ(published.size(), 1u);
    auto e = ParseRenameRequested(published.at(0).payload);
    EXPECT_TRUE(e.ok()) << e.status().message();
    return *e;
  }

  FakeApp f_;
  User alice_;
};

TEST_F(RenameTest, PatchQueuesTheRenameAndKeepsTheOldNameUntilItIsDone) {
  FileRecord r = Stored("a.txt");
  FilePatch p = Named("b.txt");
  p.description = "now";
  auto out = UpdateFile(f_.app, Alice(), r.id, p, "req-1");
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_TRUE(out->renaming);
  EXPECT_EQ(out->record.name, "a.txt");         // the renamer changes it
  EXPECT_EQ(out->record.description, "now");    // other fields change at once
  RenameRequested e = OnlyRenameEvent();
  EXPECT_EQ(e.header.type, "file.rename_requested");
  EXPECT_EQ(e.header.request_id, "req-1");
  EXPECT_EQ(e.old_key, "users/alice/a.txt");
  EXPECT_EQ(e.new_key, "users/alice/b.txt");
  EXPECT_EQ(e.name, "b.txt");
  EXPECT_EQ(e.folder, "");
}

TEST_F(RenameTest, AFolderMoveIsARenameToo) {
  FileRecord r = Stored("a.txt");
  FilePatch p;
  p.folder = "/docs/2026/";
  ASSERT_TRUE(UpdateFile(f_.app, Alice(), r.id, p, "r").ok());
  RenameRequested e = OnlyRenameEvent();
  EXPECT_EQ(e.new_key, "users/alice/docs/2026/a.txt");
  EXPECT_EQ(e.folder, "docs/2026");
}

TEST_F(RenameTest, ATakenNameIsAConflictAtPatchTime) {
  FileRecord a = Stored("a.txt");
  Stored("b.txt");
  auto out = UpdateFile(f_.app, Alice(), a.id, Named("b.txt"), "r");
  EXPECT_EQ(out.status().kind(), ErrorKind::kConflict);
  EXPECT_EQ(out.status().code(), "name_taken");
  EXPECT_TRUE(f_.bus.PublishedTo("renomear-arquivo").empty());
}

TEST_F(RenameTest, InTheOpaqueLayoutARenameOnlyTouchesTheRow) {
  f_.app.settings.key_layout = KeyLayout::kOpaque;
  FileRecord r = Stored("a.txt");
  auto out = UpdateFile(f_.app, Alice(), r.id, Named("b.txt"), "r");
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->renaming);
  EXPECT_EQ(out->record.name, "b.txt");
  EXPECT_TRUE(f_.bus.Published().empty());
}

TEST_F(RenameTest, TheRenamerCopiesThenUpdatesTheRowThenDeletesTheOldObject) {
  FileRecord r = Stored("a.txt");
  ASSERT_TRUE(UpdateFile(f_.app, Alice(), r.id, Named("ação.txt"), "r").ok());
  f_.log.Clear();
  ASSERT_TRUE(MoveFile(f_.app, OnlyRenameEvent()).ok());

  const std::string to = "users/alice/ação.txt";
  int copy = f_.log.IndexOf("objects.Copy users/alice/a.txt " + to);
  int row = f_.log.IndexOf("meta.RenameFile " + r.id + " " + to);
  int del = f_.log.IndexOf("objects.Delete users/alice/a.txt");
  ASSERT_GE(copy, 0);
  ASSERT_GT(row, copy);
  ASSERT_GT(del, row);
  auto now = f_.meta.GetFile(r.id);
  EXPECT_EQ(now->name, "ação.txt");
  EXPECT_EQ(now->object_key, to);
  EXPECT_EQ(f_.objects.Bytes(to), "abc");
  EXPECT_EQ(f_.objects.Meta(to)["arca-name"], PercentEncode("ação.txt"));  // the bucket alone still tells the name
  EXPECT_FALSE(f_.objects.Has("users/alice/a.txt"));
}

TEST_F(RenameTest, RunningTheSameRenameAgainChangesNothing) {
  FileRecord r = Stored("a.txt");
  ASSERT_TRUE(UpdateFile(f_.app, Alice(), r.id, Named("b.txt"), "r").ok());
  RenameRequested e = OnlyRenameEvent();
  ASSERT_TRUE(MoveFile(f_.app, e).ok());
  // Someone uploads a new a.txt; a redelivered event must not delete it.
  f_.objects.Put("users/alice/a.txt", "new", {{"arca-id", NewId()}});
  ASSERT_TRUE(MoveFile(f_.app, e).ok());
  EXPECT_EQ(f_.objects.Bytes("users/alice/a.txt"), "new");
  EXPECT_EQ(f_.meta.GetFile(r.id)->object_key, "users/alice/b.txt");
  EXPECT_EQ(f_.objects.Bytes("users/alice/b.txt"), "abc");
}

TEST_F(RenameTest, ACrashAfterTheCopyIsFinishedByRedelivery) {
  FileRecord r = Stored("a.txt");
  ASSERT_TRUE(UpdateFile(f_.app, Alice(), r.id, Named("b.txt"), "r").ok());
  RenameRequested e = OnlyRenameEvent();
  // The copy landed, then the process died before the row moved.
  ASSERT_TRUE(f_.objects.Copy("users/alice/a.txt", "users/alice/b.txt", {{"arca-id", r.id}}).ok());
  ASSERT_TRUE(MoveFile(f_.app, e).ok());
  EXPECT_EQ(f_.meta.GetFile(r.id)->object_key, "users/alice/b.txt");
  EXPECT_FALSE(f_.objects.Has("users/alice/a.txt"));
}

TEST_F(RenameTest, ACrashAfterTheRowMovedIsFinishedByRedelivery) {
  FileRecord r = Stored("a.txt");
  ASSERT_TRUE(UpdateFile(f_.app, Alice(), r.id, Named("b.txt"), "r").ok());
  RenameRequested e = OnlyRenameEvent();
  ASSERT_TRUE(f_.objects.Copy("users/alice/a.txt", "users/alice/b.txt", {{"arca-id", r.id}}).ok());
  ASSERT_TRUE(f_.meta.RenameFile(r.id, "users/alice/a.txt", "users/alice/b.txt", "b.txt", "", 1).ok());
  ASSERT_TRUE(MoveFile(f_.app, e).ok());
  EXPECT_FALSE(f_.objects.Has("users/alice/a.txt"));  // the old object, left by the crash, is removed
  EXPECT_TRUE(f_.objects.Has("users/alice/b.txt"));
}

TEST_F(RenameTest, AnotherFileTakingTheNameFirstFailsTheRenameWithoutHarm) {
  FileRecord r = Stored("a.txt");
  ASSERT_TRUE(UpdateFile(f_.app, Alice(), r.id, Named("b.txt"), "r").ok());
  FileRecord other = Stored("b.txt");  // uploaded between the PATCH and the renamer
  Status st = MoveFile(f_.app, OnlyRenameEvent());
  EXPECT_EQ(st.kind(), ErrorKind::kConflict);
  EXPECT_EQ(f_.meta.GetFile(r.id)->object_key, "users/alice/a.txt");
  EXPECT_TRUE(f_.objects.Has("users/alice/a.txt"));
  EXPECT_EQ(f_.objects.Meta("users/alice/b.txt")["arca-id"], other.id);
}

TEST_F(RenameTest, AFileDeletedBeforeTheRenamerRanLeavesNoCopy) {
  FileRecord r = Stored("a.txt");
  ASSERT_TRUE(UpdateFile(f_.app, Alice(), r.id, Named("b.txt"), "r").ok());
  RenameRequested e = OnlyRenameEvent();
  ASSERT_TRUE(f_.objects.Copy("users/alice/a.txt", "users/alice/b.txt", {{"arca-id", r.id}}).ok());
  ASSERT_TRUE(f_.meta.MarkDeleting(r.id, f_.clock.Now()).ok());
  ASSERT_TRUE(MoveFile(f_.app, e).ok());
  EXPECT_FALSE(f_.objects.Has("users/alice/b.txt"));
  EXPECT_EQ(f_.meta.GetFile(r.id)->object_key, "users/alice/a.txt");  // the deleter's to remove
}

TEST_F(RenameTest, AFileDeletedDuringTheCopyIsNotARenameFailure) {
  FileRecord r = Stored("a.txt");
  ASSERT_TRUE(UpdateFile(f_.app, Alice(), r.id, Named("b.txt"), "r").ok());
  // The deleter finished first: object and row are gone.
  ASSERT_TRUE(f_.objects.Delete(r.object_key).ok());
  ASSERT_TRUE(f_.meta.DeleteFile(r.id).ok());
  EXPECT_TRUE(MoveFile(f_.app, OnlyRenameEvent()).ok());
  EXPECT_FALSE(f_.objects.Has("users/alice/b.txt"));
}

TEST_F(RenameTest, ARowWhoseObjectIsGoneCannotBeRenamed) {
  FileRecord r = Stored("a.txt");
  ASSERT_TRUE(UpdateFile(f_.app, Alice(), r.id, Named("b.txt"), "r").ok());
  ASSERT_TRUE(f_.objects.Delete(r.object_key).ok());
  Status st = MoveFile(f_.app, OnlyRenameEvent());
  EXPECT_EQ(st.kind(), ErrorKind::kInvalidArgument);  // no retry can help: to the dead letters
  EXPECT_EQ(st.code(), "object_missing");
  EXPECT_EQ(f_.meta.GetFile(r.id)->name, "a.txt");
}

TEST_F(RenameTest, TheDeleterRemovesTheObjectWhereARenameMovedIt) {
  FileRecord r = Stored("a.txt");
  auto marked = f_.meta.MarkDeleting(r.id, f_.clock.Now());
  ASSERT_TRUE(marked.ok());
  DeleteRequested d{{NewId(), "file.delete_requested", kEventVersion, r.id, f_.clock.Now(), "r"},
                    alice_.id, r.bucket, "users/alice/old-name.txt"};  // where it was when the delete was asked
  ASSERT_TRUE(PurgeFile(f_.app, d).ok());
  EXPECT_FALSE(f_.objects.Has(r.object_key));
  EXPECT_EQ(f_.meta.GetFile(r.id).status().kind(), ErrorKind::kNotFound);
}

}  // namespace
}  // namespace arca
