// Deleting a file: RequestDelete hides it at once and queues the work;
// PurgeFile (the deleter) removes the object, then the row, idempotently.
#include <gtest/gtest.h>

#include "app/background_work.hpp"
#include "app/change_files.hpp"
#include "app/read_files.hpp"
#include "core/events.hpp"
#include "core/ids.hpp"
#include "unit/fakes/fake_app.hpp"

namespace arca {
namespace {

using fakes::FakeApp;

class DeleteFileTest : public ::testing::Test {
 protected:
  DeleteFileTest() {
    alice_ = f_.AddUser("alice");
    bob_ = f_.AddUser("bob");
    admin_ = f_.AddUser("root", true);
  }

  // A ready file of `owner` with its object.
  FileRecord Stored(const User& owner) {
    FileRecord r;
    r.id = NewId();
    r.name = "a.txt";
    r.owner_id = owner.id;
    r.size = 3;
    r.content_type = "text/plain";
    r.sha256 = std::string(64, 'a');
    r.state = FileState::kReady;
    r.bucket = f_.objects.Bucket();
    r.object_key = "files/" + r.id;
    r.created_at = r.updated_at = f_.clock.Now();
    EXPECT_TRUE(f_.meta.InsertFiles({r}).ok());
    f_.objects.Put(r.object_key, "abc");
    return r;
  }

  static Caller As(const User& u) { return Caller{u.id, u.username, u.is_admin}; }

  DeleteRequested EventFor(const FileRecord& r) {
    DeleteRequested e;
    e.header = {NewId(), "file.delete_requested", kEventVersion, r.id, f_.clock.Now(), "req-9"};
    e.user_id = r.owner_id;
    e.bucket = r.bucket;
    e.object_key = r.object_key;
    return e;
  }

  FakeApp f_;
  User alice_, bob_, admin_;
};

TEST_F(DeleteFileTest, RequestDeleteHidesTheFileAndPublishesTheDeleteEvent) {
  FileRecord r = Stored(alice_);
  f_.clock.Advance(5'000'000);
  auto out = RequestDelete(f_.app, As(alice_), r.id, "req-7");
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->state, FileState::kDeleting);

  auto row = f_.meta.GetFile(r.id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->state, FileState::kDeleting);
  EXPECT_EQ(row->updated_at, f_.clock.Now());
  EXPECT_EQ(GetFile(f_.app, As(alice_), r.id).status().kind(), ErrorKind::kNotFound);  // gone for users
  EXPECT_TRUE(f_.objects.Has(r.object_key));  // the deleter removes it later

  auto published = f_.bus.Published();
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(published[0].topic, "arquivos-para-deletar");
  EXPECT_EQ(published[0].key, r.id);
  auto ev = ParseDeleteRequested(published[0].payload);
  ASSERT_TRUE(ev.ok()) << ev.status().message();
  EXPECT_EQ(ev->header.type, "file.delete_requested");
  EXPECT_EQ(ev->header.file_id, r.id);
  EXPECT_EQ(ev->header.request_id, "req-7");
  EXPECT_EQ(ev->user_id, alice_.id);
  EXPECT_EQ(ev->bucket, r.bucket);
  EXPECT_EQ(ev->object_key, r.object_key);
}

TEST_F(DeleteFileTest, FileIsMarkedDeletingBeforeTheEventIsPublished) {
  FileRecord r = Stored(alice_);
  ASSERT_TRUE(RequestDelete(f_.app, As(alice_), r.id, "").ok());
  int marked = f_.log.IndexOf("meta.MarkDeleting " + r.id);
  int published = f_.log.IndexOf("bus.Publish arquivos-para-deletar " + r.id);
  ASSERT_GE(marked, 0);
  ASSERT_GE(published, 0);
  EXPECT_LT(marked, published);
}

TEST_F(DeleteFileTest, AdminMayDeleteAnyonesFile) {
  FileRecord r = Stored(alice_);
  auto out = RequestDelete(f_.app, As(admin_), r.id, "");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(f_.meta.GetFile(r.id)->state, FileState::kDeleting);
}

TEST_F(DeleteFileTest, OtherUsersFileLooksMissingAndStaysUntouched) {
  FileRecord r = Stored(alice_);
  auto out = RequestDelete(f_.app, As(bob_), r.id, "");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(out.status().code(), "file_not_found");
  EXPECT_EQ(f_.meta.GetFile(r.id)->state, FileState::kReady);
  EXPECT_TRUE(f_.bus.Published().empty());
}

TEST_F(DeleteFileTest, DeletingTwiceIsNotFoundAndPublishesOnce) {
  FileRecord r = Stored(alice_);
  ASSERT_TRUE(RequestDelete(f_.app, As(alice_), r.id, "").ok());
  auto again = RequestDelete(f_.app, As(alice_), r.id, "");
  EXPECT_EQ(again.status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(f_.bus.Published().size(), 1u);
}

TEST_F(DeleteFileTest, UnknownOrMalformedIdIsNotFound) {
  EXPECT_EQ(RequestDelete(f_.app, As(alice_), NewId(), "").status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(RequestDelete(f_.app, As(alice_), "../etc/passwd", "").status().kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(f_.bus.Published().empty());
}

TEST_F(DeleteFileTest, PublishFailureIsUnavailableAndTheFileStaysHidden) {
  FileRecord r = Stored(alice_);
  fakes::PublishFailingEventBus broken(f_.bus);
  App app = f_.Wire(nullptr, nullptr, &broken);
  auto out = RequestDelete(app, As(alice_), r.id, "");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().kind(), ErrorKind::kUnavailable);
  // Documented: the row stays `deleting` for the reconciler to re-issue.
  EXPECT_EQ(f_.meta.GetFile(r.id)->state, FileState::kDeleting);
  EXPECT_TRUE(f_.objects.Has(r.object_key));
}

TEST_F(DeleteFileTest, PurgeDeletesTheObjectBeforeTheRow) {
  FileRecord r = Stored(alice_);
  ASSERT_TRUE(RequestDelete(f_.app, As(alice_), r.id, "").ok());
  f_.log.Clear();
  ASSERT_TRUE(PurgeFile(f_.app, EventFor(r)).ok());

  EXPECT_EQ(f_.log.calls(),
            (std::vector<std::string>{"objects.Delete " + r.object_key, "meta.DeleteFile " + r.id}));
  EXPECT_FALSE(f_.objects.Has(r.object_key));
  EXPECT_EQ(f_.meta.GetFile(r.id).status().kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(f_.meta.HasTombstone(r.id));
}

TEST_F(DeleteFileTest, PurgeTwiceSucceedsBothTimes) {
  FileRecord r = Stored(alice_);
  ASSERT_TRUE(RequestDelete(f_.app, As(alice_), r.id, "").ok());
  ASSERT_TRUE(PurgeFile(f_.app, EventFor(r)).ok());
  ASSERT_TRUE(PurgeFile(f_.app, EventFor(r)).ok());  // a redelivered event
  EXPECT_FALSE(f_.objects.Has(r.object_key));
  EXPECT_EQ(f_.meta.GetFile(r.id).status().kind(), ErrorKind::kNotFound);
}

TEST_F(DeleteFileTest, PurgeAfterACrashBetweenObjectAndRowFinishesTheJob) {
  FileRecord r = Stored(alice_);
  ASSERT_TRUE(RequestDelete(f_.app, As(alice_), r.id, "").ok());
  ASSERT_TRUE(f_.objects.Delete(r.object_key).ok());  // the first run got this far
  ASSERT_TRUE(PurgeFile(f_.app, EventFor(r)).ok());
  EXPECT_EQ(f_.meta.GetFile(r.id).status().kind(), ErrorKind::kNotFound);
}

TEST_F(DeleteFileTest, PurgeLeavesAFileThatIsNotDeletingAlone) {
  FileRecord r = Stored(alice_);  // ready: nobody asked to delete it
  f_.log.Clear();
  ASSERT_TRUE(PurgeFile(f_.app, EventFor(r)).ok());
  EXPECT_TRUE(f_.objects.Has(r.object_key));
  auto row = f_.meta.GetFile(r.id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->state, FileState::kReady);
  EXPECT_EQ(f_.log.Count("objects.Delete " + r.object_key), 0u);
  EXPECT_EQ(f_.log.Count("meta.DeleteFile " + r.id), 0u);
}

TEST_F(DeleteFileTest, PurgeKeepsTheRowWhenTheObjectCannotBeDeleted) {
  FileRecord r = Stored(alice_);
  ASSERT_TRUE(RequestDelete(f_.app, As(alice_), r.id, "").ok());
  fakes::DeleteFailingObjectStore broken(f_.objects);
  App app = f_.Wire(nullptr, &broken, nullptr);
  Status st = PurgeFile(app, EventFor(r));
  EXPECT_EQ(st.kind(), ErrorKind::kUnavailable);
  EXPECT_TRUE(st.retryable());  // the consumer retries the event
  auto row = f_.meta.GetFile(r.id);
  ASSERT_TRUE(row.ok());  // never a row removed while its object may remain
  EXPECT_EQ(row->state, FileState::kDeleting);
}

TEST_F(DeleteFileTest, PurgedFileDoesNotComeBackFromARedeliveredUpload) {
  FileRecord r = Stored(alice_);
  ASSERT_TRUE(RequestDelete(f_.app, As(alice_), r.id, "").ok());
  ASSERT_TRUE(PurgeFile(f_.app, EventFor(r)).ok());
  FileUploaded up{{NewId(), "file.uploaded", kEventVersion, r.id, f_.clock.Now(), ""}, r};
  ASSERT_TRUE(RecordUploads(f_.app, {up}).ok());
  EXPECT_EQ(f_.meta.GetFile(r.id).status().kind(), ErrorKind::kNotFound);
}

}  // namespace
}  // namespace arca
