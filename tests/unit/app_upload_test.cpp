// UploadFile: bytes go to the object store, the record goes to the broker
// (async) or the database (sync), and a failed or abandoned upload leaves
// nothing behind.
#include <gtest/gtest.h>

#include <random>

#include "app/upload_file.hpp"
#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "core/events.hpp"
#include "core/ids.hpp"
#include "unit/fakes/fake_app.hpp"

namespace arca {
namespace {

using fakes::FakeApp;

class UploadFileTest : public ::testing::Test {
 protected:
  UploadFileTest() {
    user_ = f_.AddUser("alice");
    caller_ = Caller{user_.id, "alice", false};
  }

  UploadRequest Request(std::string name = "relatório final.pdf") {
    UploadRequest r;
    r.name = std::move(name);
    r.folder = "/relatórios/2026/";
    r.project = "apollo";
    r.description = "trimestral";
    r.tags = {"q4", "finanças"};
    r.declared_type = "Application/PDF; charset=binary";
    r.request_id = "req-1";
    return r;
  }

  std::unique_ptr<UploadSession> Begin(App& app, UploadRequest r) {
    auto s = UploadSession::Begin(app, caller_, std::move(r));
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  FakeApp f_;
  User user_;
  Caller caller_;
};

TEST_F(UploadFileTest, AsyncUploadStoresTheObjectAndPublishesOneUploadedEvent) {
  f_.sniffer.answer = "application/pdf";
  auto s = Begin(f_.app, Request());
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Write("%PDF-1.7 ").ok());
  ASSERT_TRUE(s->Write("rest of the file").ok());
  auto out = s->Finish();
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_TRUE(out->async);
  const FileRecord& rec = out->record;
  EXPECT_EQ(rec.state, FileState::kPending);  // the row does not exist yet
  EXPECT_TRUE(IsValidId(rec.id));
  EXPECT_EQ(f_.meta.FileCount(), 0u);

  // The object holds the bytes, and its metadata can rebuild a lost row.
  ASSERT_TRUE(f_.objects.Has(rec.object_key));
  EXPECT_EQ(f_.objects.Bytes(rec.object_key), "%PDF-1.7 rest of the file");
  EXPECT_EQ(f_.objects.OpenWriters(), 0);
  ObjectMeta meta = f_.objects.Meta(rec.object_key);
  EXPECT_EQ(meta["arca-id"], rec.id);
  EXPECT_EQ(meta["arca-owner"], user_.id);
  EXPECT_EQ(PercentDecode(meta["arca-name"]), "relatório final.pdf");
  EXPECT_EQ(PercentDecode(meta["arca-folder"]), "relatórios/2026");
  EXPECT_EQ(PercentDecode(meta["arca-project"]), "apollo");

  auto published = f_.bus.Published();
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(published[0].topic, "arquivos-enviados");
  EXPECT_EQ(published[0].key, rec.id);
  auto ev = ParseFileUploaded(published[0].payload);
  ASSERT_TRUE(ev.ok()) << ev.status().message();
  EXPECT_EQ(ev->header.type, "file.uploaded");
  EXPECT_EQ(ev->header.file_id, rec.id);
  EXPECT_EQ(ev->header.request_id, "req-1");
  EXPECT_EQ(ev->header.occurred_at, f_.clock.Now());
  EXPECT_TRUE(IsValidId(ev->header.event_id));
  const FileRecord& e = ev->file;
  EXPECT_EQ(e.id, rec.id);
  EXPECT_EQ(e.name, "relatório final.pdf");
  EXPECT_EQ(e.folder, "relatórios/2026");
  EXPECT_EQ(e.project, "apollo");
  EXPECT_EQ(e.owner_id, user_.id);
  EXPECT_EQ(e.owner_username, "alice");
  EXPECT_EQ(e.size, 25);
  EXPECT_EQ(e.sha256, Sha256Hex("%PDF-1.7 rest of the file"));
  EXPECT_EQ(e.content_type, "application/pdf");
  EXPECT_EQ(e.declared_content_type, "application/pdf");
  EXPECT_EQ(e.description, "trimestral");
  EXPECT_EQ(e.tags, (std::vector<std::string>{"q4", "finanças"}));
  EXPECT_EQ(e.bucket, "fake-bucket");
  EXPECT_EQ(e.object_key, rec.object_key);
  EXPECT_EQ(e.created_at, f_.clock.Now());
  EXPECT_EQ(e.state, FileState::kReady);
}

TEST_F(UploadFileTest, ObjectIsCommittedBeforeTheEventIsPublished) {
  auto s = Begin(f_.app, Request());
  ASSERT_TRUE(s->Write("abc").ok());
  auto out = s->Finish();
  ASSERT_TRUE(out.ok());
  int committed = f_.log.IndexOf("objects.Commit " + out->record.object_key);
  int published = f_.log.IndexOf("bus.Publish arquivos-enviados " + out->record.id);
  ASSERT_GE(committed, 0);
  ASSERT_GE(published, 0);
  EXPECT_LT(committed, published);
}

TEST_F(UploadFileTest, PublishFailureIsUnavailableAndDeletesTheObject) {
  fakes::PublishFailingEventBus broken(f_.bus);
  App app = f_.Wire(nullptr, nullptr, &broken);
  auto s = Begin(app, Request());
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Write("some bytes").ok());
  auto out = s->Finish();
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().kind(), ErrorKind::kUnavailable);
  EXPECT_EQ(broken.attempts, 1);
  EXPECT_EQ(f_.objects.ObjectCount(), 0u);  // never a stored object without its event
  EXPECT_EQ(f_.objects.OpenWriters(), 0);
  EXPECT_TRUE(f_.bus.Published().empty());
  EXPECT_EQ(f_.meta.FileCount(), 0u);
}

TEST_F(UploadFileTest, SyncModeInsertsTheRowAndReturnsTheFinalRecord) {
  f_.app.settings.write_mode = WriteMode::kSync;
  auto s = Begin(f_.app, Request("notes.txt"));
  ASSERT_TRUE(s->Write("hello").ok());
  auto out = s->Finish();
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_FALSE(out->async);
  EXPECT_EQ(out->record.state, FileState::kReady);
  EXPECT_EQ(out->record.size, 5);

  auto row = f_.meta.GetFile(out->record.id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->name, "notes.txt");
  EXPECT_EQ(row->state, FileState::kReady);
  EXPECT_EQ(row->sha256, Sha256Hex("hello"));
  EXPECT_EQ(row->owner_username, "alice");
  EXPECT_TRUE(f_.objects.Has(out->record.object_key));
}

TEST_F(UploadFileTest, SyncModeInsertFailureDeletesTheObject) {
  f_.app.settings.write_mode = WriteMode::kSync;
  fakes::InsertFailingMetadataStore broken(f_.meta);
  App app = f_.Wire(&broken, nullptr, nullptr);
  auto s = Begin(app, Request());
  ASSERT_TRUE(s->Write("hello").ok());
  auto out = s->Finish();
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().kind(), ErrorKind::kUnavailable);
  EXPECT_EQ(f_.objects.ObjectCount(), 0u);
  EXPECT_EQ(f_.meta.FileCount(), 0u);
}

TEST_F(UploadFileTest, WritePastTheLimitIsTooLargeAndLeavesNoObject) {
  f_.app.settings.max_upload = 10;
  auto s = Begin(f_.app, Request());
  ASSERT_TRUE(s->Write("123456").ok());
  Status st = s->Write("789012");
  EXPECT_EQ(st.kind(), ErrorKind::kTooLarge);
  EXPECT_EQ(st.code(), "upload_too_large");
  EXPECT_EQ(f_.objects.OpenWriters(), 0);  // aborted at once, not at destruction

  EXPECT_FALSE(s->Finish().ok());  // and nothing can revive it
  s.reset();
  EXPECT_EQ(f_.objects.ObjectCount(), 0u);
  EXPECT_TRUE(f_.bus.Published().empty());
}

TEST_F(UploadFileTest, UploadOfExactlyTheLimitIsAccepted) {
  f_.app.settings.max_upload = 10;
  auto s = Begin(f_.app, Request());
  ASSERT_TRUE(s->Write("12345").ok());
  ASSERT_TRUE(s->Write("67890").ok());
  auto out = s->Finish();
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(f_.objects.Bytes(out->record.object_key), "1234567890");
}

TEST_F(UploadFileTest, DestroyingASessionWithoutFinishLeavesNothing) {
  {
    auto s = Begin(f_.app, Request());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->Write("half of a file").ok());
    EXPECT_EQ(f_.objects.OpenWriters(), 1);
  }  // the client went away
  EXPECT_EQ(f_.objects.OpenWriters(), 0);
  EXPECT_EQ(f_.objects.ObjectCount(), 0u);
  EXPECT_TRUE(f_.bus.Published().empty());
  EXPECT_EQ(f_.meta.FileCount(), 0u);
}

TEST_F(UploadFileTest, DeclaredLengthOverTheLimitFailsBeforeAnyObjectExists) {
  f_.app.settings.max_upload = 1000;
  UploadRequest r = Request();
  r.declared_length = 1001;
  auto s = UploadSession::Begin(f_.app, caller_, r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().kind(), ErrorKind::kTooLarge);
  EXPECT_EQ(s.status().code(), "upload_too_large");
  EXPECT_EQ(f_.objects.BeginPuts(), 0);

  r.declared_length = 1000;
  EXPECT_TRUE(UploadSession::Begin(f_.app, caller_, r).ok());
}

TEST_F(UploadFileTest, InvalidNameFailsBeforeAnyObjectExists) {
  for (const char* name : {"", "a/b.txt", "bad\x01name"}) {
    SCOPED_TRACE(name);
    auto s = UploadSession::Begin(f_.app, caller_, Request(name));
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().kind(), ErrorKind::kInvalidArgument);
  }
  EXPECT_EQ(f_.objects.BeginPuts(), 0);
}

TEST_F(UploadFileTest, HashAndSizeAreRightOverManyChunks) {
  std::mt19937 rng(42);
  std::string all;
  auto s = Begin(f_.app, Request("big.bin"));
  for (int i = 0; i < 500; ++i) {
    std::string chunk(rng() % 9000, '\0');  // includes empty chunks
    for (auto& c : chunk) c = static_cast<char>(rng());
    all += chunk;
    ASSERT_TRUE(s->Write(chunk).ok());
  }
  auto out = s->Finish();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->record.size, static_cast<std::int64_t>(all.size()));
  EXPECT_EQ(out->record.sha256, Sha256Hex(all));
  EXPECT_TRUE(f_.objects.Bytes(out->record.object_key) == all);
  auto ev = ParseFileUploaded(f_.bus.Published().at(0).payload);
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(ev->file.size, static_cast<std::int64_t>(all.size()));
  EXPECT_EQ(ev->file.sha256, Sha256Hex(all));
}

TEST_F(UploadFileTest, EmptyFileIsAValidUpload) {
  auto s = Begin(f_.app, Request("empty.txt"));
  auto out = s->Finish();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->record.size, 0);
  EXPECT_EQ(out->record.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_TRUE(f_.objects.Has(out->record.object_key));
}

TEST_F(UploadFileTest, SniffedTypeWinsOverTheDeclaredOne) {
  f_.sniffer.answer = "image/png";
  UploadRequest r = Request("photo.pdf");
  auto s = Begin(f_.app, r);
  ASSERT_TRUE(s->Write("\x89PNG....").ok());
  auto out = s->Finish();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->record.content_type, "image/png");
  EXPECT_EQ(out->record.declared_content_type, "application/pdf");
}

TEST_F(UploadFileTest, DeclaredTypeIsKeptWhenSniffingOnlySaysBytes) {
  f_.sniffer.answer = "application/octet-stream";
  auto s = Begin(f_.app, Request("a.pdf"));
  ASSERT_TRUE(s->Write("????").ok());
  auto out = s->Finish();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->record.content_type, "application/pdf");
}

TEST_F(UploadFileTest, EachUploadGetsItsOwnIdAndObject) {
  auto a = Begin(f_.app, Request("same.txt"));
  auto b = Begin(f_.app, Request("same.txt"));
  ASSERT_TRUE(a->Write("a").ok());
  ASSERT_TRUE(b->Write("b").ok());
  auto ra = a->Finish(), rb = b->Finish();
  ASSERT_TRUE(ra.ok() && rb.ok());
  EXPECT_NE(ra->record.id, rb->record.id);
  EXPECT_NE(ra->record.object_key, rb->record.object_key);
  EXPECT_EQ(f_.objects.ObjectCount(), 2u);
  EXPECT_EQ(f_.bus.Published().size(), 2u);
}

}  // namespace
}  // namespace arca
