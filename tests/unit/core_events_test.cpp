// Broker messages (CONTRACT §4): what producers write and consumers read.
#include "core/events.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "core/time.hpp"

namespace arca {
namespace {

namespace json = boost::json;

constexpr std::int64_t kBig = (std::int64_t{5} << 30) + 7;  // past 4 GiB and 32 bits

FileUploaded ExampleUpload() {
  FileUploaded e;
  e.header.event_id = "0190a1b2-aaaa-7000-8000-000000000001";
  e.header.type = "file.uploaded";
  e.header.file_id = "0190a1b2-ffff-7000-8000-000000000002";
  e.header.occurred_at = 1796414392123456;
  e.header.request_id = "req-42";
  FileRecord& f = e.file;
  f.id = e.header.file_id;
  f.name = "relatório final (2) \"ção\".pdf";
  f.folder = "relatórios/2026";
  f.project = "apollo";
  f.owner_id = "0190a1b2-0000-7000-8000-00000000a11c";
  f.owner_username = "joão";
  f.size = kBig;
  f.content_type = "application/pdf";
  f.declared_content_type = "application/octet-stream";
  f.sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  f.description = "Linha 1\nLinha 2 — com acentos, \\barras\\ e \"aspas\"";
  f.tags = {"finanças", "2026", "q4"};
  f.status = ReviewStatus::kApproved;
  f.state = FileState::kReady;
  f.bucket = "arca";
  f.object_key = "u/0190a1b2-0000-7000-8000-00000000a11c/0190a1b2-ffff-7000-8000-000000000002";
  f.created_at = 1796414391000001;
  f.updated_at = f.created_at;
  return e;
}

DeleteRequested ExampleDelete() {
  DeleteRequested e;
  e.header.event_id = "0190a1b2-bbbb-7000-8000-000000000003";
  e.header.type = "file.delete_requested";
  e.header.file_id = "0190a1b2-ffff-7000-8000-000000000002";
  e.header.occurred_at = 1796414399000000;
  e.header.request_id = "req-43";
  e.user_id = "0190a1b2-0000-7000-8000-00000000a11c";
  e.bucket = "arca";
  e.object_key = "u/0190a1b2-0000-7000-8000-00000000a11c/0190a1b2-ffff-7000-8000-000000000002";
  return e;
}

void ExpectSameHeader(const EventHeader& got, const EventHeader& want) {
  EXPECT_EQ(got.event_id, want.event_id);
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.version, want.version);
  EXPECT_EQ(got.file_id, want.file_id);
  EXPECT_EQ(got.occurred_at, want.occurred_at);
  EXPECT_EQ(got.request_id, want.request_id);
}

void ExpectSameRecord(const FileRecord& got, const FileRecord& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.folder, want.folder);
  EXPECT_EQ(got.project, want.project);
  EXPECT_EQ(got.owner_id, want.owner_id);
  EXPECT_EQ(got.owner_username, want.owner_username);
  EXPECT_EQ(got.size, want.size);
  EXPECT_EQ(got.content_type, want.content_type);
  EXPECT_EQ(got.declared_content_type, want.declared_content_type);
  EXPECT_EQ(got.sha256, want.sha256);
  EXPECT_EQ(got.description, want.description);
  EXPECT_EQ(got.tags, want.tags);
  EXPECT_EQ(got.status, want.status);
  EXPECT_EQ(got.state, want.state);
  EXPECT_EQ(got.bucket, want.bucket);
  EXPECT_EQ(got.object_key, want.object_key);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.updated_at, want.updated_at);
}

json::object ParseJsonObject(const std::string& text) {
  json::value v = json::parse(text);
  EXPECT_TRUE(v.is_object()) << text;
  return v.is_object() ? v.as_object() : json::object{};
}

void ExpectPoison(const Status& st) {
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(st.code(), "poison_message");
  EXPECT_FALSE(st.retryable());
}

// ---- file.uploaded ------------------------------------------------------------

TEST(CoreEvents, FileUploadedRoundTripPreservesEveryField) {
  FileUploaded e = ExampleUpload();
  auto back = ParseFileUploaded(ToJson(e));
  ASSERT_TRUE(back.ok()) << back.status().message();
  ExpectSameHeader(back->header, e.header);
  ExpectSameRecord(back->file, e.file);
}

TEST(CoreEvents, FileUploadedRoundTripKeepsEveryReviewStatus) {
  for (ReviewStatus s : {ReviewStatus::kPending, ReviewStatus::kApproved, ReviewStatus::kRejected}) {
    FileUploaded e = ExampleUpload();
    e.file.status = s;
    auto back = ParseFileUploaded(ToJson(e));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->file.status, s);
  }
}

TEST(CoreEvents, FileUploadedRoundTripWithEmptyOptionalFields) {
  FileUploaded e = ExampleUpload();
  e.header.request_id.clear();
  e.file.folder.clear();
  e.file.project.clear();
  e.file.description.clear();
  e.file.declared_content_type.clear();
  e.file.tags.clear();
  e.file.size = 0;
  auto back = ParseFileUploaded(ToJson(e));
  ASSERT_TRUE(back.ok()) << back.status().message();
  ExpectSameHeader(back->header, e.header);
  ExpectSameRecord(back->file, e.file);
}

TEST(CoreEvents, FileUploadedJsonHasTheContractHeader) {
  FileUploaded e = ExampleUpload();
  json::object o = ParseJsonObject(ToJson(e));
  ASSERT_TRUE(o.contains("event_id"));
  EXPECT_EQ(o["event_id"], json::value(e.header.event_id));
  EXPECT_EQ(o["type"], json::value("file.uploaded"));
  ASSERT_TRUE(o["version"].is_int64());
  EXPECT_EQ(o["version"].as_int64(), 1);
  EXPECT_EQ(o["file_id"], json::value(e.header.file_id));
  EXPECT_EQ(o["occurred_at"], json::value("2026-12-04T19:59:52.123456Z"));
  EXPECT_EQ(o["request_id"], json::value("req-42"));
}

TEST(CoreEvents, FileUploadedJsonCarriesTheRecord) {
  FileUploaded e = ExampleUpload();
  json::object o = ParseJsonObject(ToJson(e));
  EXPECT_EQ(o["owner_id"], json::value(e.file.owner_id));
  EXPECT_EQ(o["owner"], json::value("joão"));
  EXPECT_EQ(o["name"], json::value(e.file.name));
  EXPECT_EQ(o["object_key"], json::value(e.file.object_key));
  EXPECT_EQ(o["bucket"], json::value("arca"));
  ASSERT_TRUE(o["size"].is_int64());
  EXPECT_EQ(o["size"].as_int64(), kBig);
  EXPECT_EQ(o["tags"], json::value({"finanças", "2026", "q4"}));
  EXPECT_EQ(o["status"], json::value("approved"));
  EXPECT_EQ(o["created_at"], json::value(FormatRfc3339(e.file.created_at)));
}

TEST(CoreEvents, FileUploadedParseRejectsNonJson) {
  for (const char* s : {"", "not json", "{", "{\"type\":", "[]", "42", "\"file.uploaded\"", "null"})
    ExpectPoison(ParseFileUploaded(s).status());
}

TEST(CoreEvents, FileUploadedParseRejectsWrongType) {
  ExpectPoison(ParseFileUploaded(ToJson(ExampleDelete())).status());
  json::object o = ParseJsonObject(ToJson(ExampleUpload()));
  o["type"] = "file.processed";
  ExpectPoison(ParseFileUploaded(json::serialize(o)).status());
}

TEST(CoreEvents, FileUploadedParseRejectsVersion2) {
  json::object o = ParseJsonObject(ToJson(ExampleUpload()));
  o["version"] = 2;
  auto r = ParseFileUploaded(json::serialize(o));
  ExpectPoison(r.status());
  EXPECT_NE(r.status().message().find('2'), std::string::npos) << r.status().message();
  o["version"] = "1";  // a string is not a version
  ExpectPoison(ParseFileUploaded(json::serialize(o)).status());
}

TEST(CoreEvents, FileUploadedParseRejectsMissingOwnerId) {
  json::object o = ParseJsonObject(ToJson(ExampleUpload()));
  o.erase("owner_id");
  auto r = ParseFileUploaded(json::serialize(o));
  ExpectPoison(r.status());
  EXPECT_NE(r.status().message().find("owner_id"), std::string::npos) << r.status().message();
  o["owner_id"] = nullptr;
  ExpectPoison(ParseFileUploaded(json::serialize(o)).status());
  o["owner_id"] = 7;
  ExpectPoison(ParseFileUploaded(json::serialize(o)).status());
}

TEST(CoreEvents, FileUploadedParseRejectsEachMissingRequiredField) {
  for (const char* field : {"event_id", "type", "version", "file_id", "occurred_at", "name", "object_key", "size",
                            "content_type", "sha256", "created_at"}) {
    json::object o = ParseJsonObject(ToJson(ExampleUpload()));
    o.erase(field);
    ExpectPoison(ParseFileUploaded(json::serialize(o)).status());
  }
}

TEST(CoreEvents, FileUploadedParseRejectsBadTimestamps) {
  json::object o = ParseJsonObject(ToJson(ExampleUpload()));
  o["created_at"] = "yesterday";
  ExpectPoison(ParseFileUploaded(json::serialize(o)).status());
}

TEST(CoreEvents, FileUploadedParseToleratesAbsentOptionalFields) {
  json::object o = ParseJsonObject(ToJson(ExampleUpload()));
  for (const char* field : {"request_id", "owner", "project", "folder", "bucket", "declared_content_type",
                            "description", "tags", "status"})
    o.erase(field);
  auto r = ParseFileUploaded(json::serialize(o));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->file.folder, "");
  EXPECT_TRUE(r->file.tags.empty());
  EXPECT_EQ(r->file.status, ReviewStatus::kPending);
  EXPECT_EQ(r->file.name, ExampleUpload().file.name);
}

TEST(CoreEvents, FileUploadedParseIgnoresUnknownFields) {
  json::object o = ParseJsonObject(ToJson(ExampleUpload()));
  o["added_in_a_later_minor_release"] = true;
  EXPECT_TRUE(ParseFileUploaded(json::serialize(o)).ok());
}

// ---- file.delete_requested -------------------------------------------------------

TEST(CoreEvents, DeleteRequestedRoundTripPreservesEveryField) {
  DeleteRequested e = ExampleDelete();
  auto back = ParseDeleteRequested(ToJson(e));
  ASSERT_TRUE(back.ok()) << back.status().message();
  ExpectSameHeader(back->header, e.header);
  EXPECT_EQ(back->user_id, e.user_id);
  EXPECT_EQ(back->bucket, e.bucket);
  EXPECT_EQ(back->object_key, e.object_key);
}

TEST(CoreEvents, DeleteRequestedJsonHasTheContractHeader) {
  json::object o = ParseJsonObject(ToJson(ExampleDelete()));
  EXPECT_EQ(o["type"], json::value("file.delete_requested"));
  EXPECT_EQ(o["version"], json::value(1));
  for (const char* k : {"event_id", "file_id", "occurred_at", "request_id", "user_id", "object_key"})
    EXPECT_TRUE(o.contains(k)) << k;
}

TEST(CoreEvents, DeleteRequestedParseRejectsAnUploadAndMissingUser) {
  ExpectPoison(ParseDeleteRequested(ToJson(ExampleUpload())).status());
  json::object o = ParseJsonObject(ToJson(ExampleDelete()));
  o.erase("user_id");
  ExpectPoison(ParseDeleteRequested(json::serialize(o)).status());
  ExpectPoison(ParseDeleteRequested("garbage").status());
}

// ---- dead letters ---------------------------------------------------------------

TEST(CoreEvents, DeadLetterAddsErrorAndAttemptsAndKeepsOriginalFields) {
  std::string original = ToJson(ExampleUpload());
  std::string dead = WithDeadLetterInfo(original, "metadata store unavailable", 5);
  json::object in = ParseJsonObject(original);
  json::object out = ParseJsonObject(dead);
  EXPECT_EQ(out["error"], json::value("metadata store unavailable"));
  EXPECT_EQ(out["attempts"], json::value(5));
  for (const auto& kv : in) EXPECT_EQ(out[kv.key()], kv.value()) << kv.key();
  EXPECT_EQ(out.size(), in.size() + 2);
}

TEST(CoreEvents, DeadLetterMessageStillParsesAsTheOriginalEvent) {
  FileUploaded e = ExampleUpload();
  auto back = ParseFileUploaded(WithDeadLetterInfo(ToJson(e), "boom", 3));
  ASSERT_TRUE(back.ok()) << back.status().message();
  ExpectSameHeader(back->header, e.header);
  ExpectSameRecord(back->file, e.file);
}

TEST(CoreEvents, DeadLetterKeepsUnparseableMessageAsRawText) {
  std::string dead = WithDeadLetterInfo("not json \xc3\xa7", "poison_message: not a JSON object", 1);
  json::object out = ParseJsonObject(dead);
  EXPECT_EQ(out["raw"], json::value("not json \xc3\xa7"));
  EXPECT_EQ(out["attempts"], json::value(1));
  EXPECT_EQ(out["error"], json::value("poison_message: not a JSON object"));
}

TEST(CoreEvents, DeadLetterTopicIsTheTopicPlusDlq) {
  Topics t;
  EXPECT_EQ(t.uploaded, "arquivos-enviados");
  EXPECT_EQ(t.delete_requested, "arquivos-para-deletar");
  EXPECT_EQ(t.rename_requested, "renomear-arquivo");
  EXPECT_EQ(t.processed, "arquivos-processados");
  EXPECT_EQ(Topics::Dlq(t.uploaded), "arquivos-enviados.dlq");
}

}  // namespace
}  // namespace arca

namespace arca {
namespace {

TEST(RenameEvents, RoundTripKeepsEveryField) {
  RenameRequested e{{"ev-1", "file.rename_requested", kEventVersion, "f-1", 1'780'000'000'000'000, "req"},
                    "u-1", "bucket", "users/alice/a.txt", "users/alice/docs/ação.txt", "ação.txt", "docs"};
  auto back = ParseRenameRequested(ToJson(e));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->header.file_id, "f-1");
  EXPECT_EQ(back->old_key, e.old_key);
  EXPECT_EQ(back->new_key, e.new_key);
  EXPECT_EQ(back->name, "ação.txt");
  EXPECT_EQ(back->folder, "docs");
  EXPECT_EQ(back->user_id, "u-1");
  // Another event's type, or a missing key, is poison.
  EXPECT_EQ(ParseRenameRequested(R"({"event_id":"e","type":"file.uploaded","version":1,"file_id":"f","occurred_at":"2026-01-01T00:00:00Z"})")
                .status().code(),
            "poison_message");
  EXPECT_EQ(ParseRenameRequested(R"({"event_id":"e","type":"file.rename_requested","version":1,"file_id":"f","occurred_at":"2026-01-01T00:00:00Z","user_id":"u","old_key":"a","name":"n"})")
                .status().code(),
            "poison_message");
}

}  // namespace
}  // namespace arca
