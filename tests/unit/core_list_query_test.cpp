// GET /api/files parameters and the cursor that continues a listing.
#include "core/list_query.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <string>

#include "core/encoding.hpp"
#include "core/time.hpp"

namespace arca {
namespace {

using Params = std::multimap<std::string, std::string>;

const Caller kAlice{"0190a1b2-0000-7000-8000-00000000a11c", "alice", false};
const Caller kAdmin{"0190a1b2-0000-7000-8000-0000000adm1n", "root", true};

Cursor MakeCursor(SortField sort, bool desc, std::string id, std::variant<std::int64_t, std::string> v) {
  Cursor c;
  c.sort = sort;
  c.descending = desc;
  c.last_id = std::move(id);
  c.last_value = std::move(v);
  return c;
}

void ExpectSameCursor(const Cursor& got, const Cursor& want) {
  EXPECT_EQ(got.sort, want.sort);
  EXPECT_EQ(got.descending, want.descending);
  EXPECT_EQ(got.last_id, want.last_id);
  EXPECT_EQ(got.last_value, want.last_value);
}

// Expects a 400-style rejection whose message names the parameter.
void ExpectBadParameter(const Params& p, const std::string& name, const Caller& caller = kAlice) {
  auto r = ParseListQuery(p, caller);
  ASSERT_FALSE(r.ok()) << "parameter " << name << " was accepted";
  EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(r.status().code(), "invalid_parameter");
  EXPECT_NE(r.status().message().find("'" + name + "'"), std::string::npos) << r.status().message();
}

ListQuery ParseOk(const Params& p, const Caller& caller = kAlice) {
  auto r = ParseListQuery(p, caller);
  EXPECT_TRUE(r.ok()) << r.status().message();
  if (!r.ok()) return {};
  return std::move(r).value();
}

// ---- cursor -----------------------------------------------------------------

TEST(CoreListQuery, CursorWithDateValueRoundTrips) {
  Cursor c = MakeCursor(SortField::kCreatedAt, true, "0190a1b2-1111-7000-8000-000000000001",
                        std::int64_t{1796414392123456});
  auto back = DecodeCursor(EncodeCursor(c));
  ASSERT_TRUE(back.has_value());
  ExpectSameCursor(*back, c);
}

TEST(CoreListQuery, CursorWithSizeValueRoundTripsIncludingExtremes) {
  for (std::int64_t v : {std::int64_t{0}, std::int64_t{5} << 30, std::int64_t{-1},
                         std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()}) {
    Cursor c = MakeCursor(SortField::kSize, false, "id-1", v);
    auto back = DecodeCursor(EncodeCursor(c));
    ASSERT_TRUE(back.has_value()) << v;
    ExpectSameCursor(*back, c);
  }
}

TEST(CoreListQuery, CursorWithNameValueRoundTripsEvenWithBars) {
  for (const char* name : {"relatório final.pdf", "a|b|c.txt", "|", "||leading", "", "日本 😀", "v1|name|asc|x|y"}) {
    Cursor c = MakeCursor(SortField::kName, false, "0190a1b2-2222-7000-8000-000000000002", std::string(name));
    auto back = DecodeCursor(EncodeCursor(c));
    ASSERT_TRUE(back.has_value()) << name;
    ExpectSameCursor(*back, c);
  }
}

TEST(CoreListQuery, CursorTextIsUrlSafe) {
  Cursor c = MakeCursor(SortField::kName, true, "id", std::string("a b/c?d&e=f+g%h|"));
  std::string text = EncodeCursor(c);
  EXPECT_EQ(text, PercentEncode(text));
}

TEST(CoreListQuery, DecodeCursorRejectsGarbage) {
  for (const char* s : {"", "not a cursor!", "abc", "Zm9v", "====", "v1|name|asc|id|x"})
    EXPECT_FALSE(DecodeCursor(s).has_value()) << s;
}

TEST(CoreListQuery, DecodeCursorRejectsWellEncodedButMalformedContent) {
  for (const char* raw : {"v2|name|asc|id|x", "v1|color|asc|id|x", "v1|name|up|id|x", "v1|created_at|desc||1",
                          "v1|created_at|desc|id|12abc", "v1|created_at|desc|id|", "v1|size|asc|id|1.5",
                          "v1|size|asc|id| 1", "v1|name|asc", "v1|name|asc|id", "V1|name|asc|id|x",
                          "v1|created_at|desc|id|99999999999999999999"})
    EXPECT_FALSE(DecodeCursor(Base64UrlEncode(raw)).has_value()) << raw;
}

TEST(CoreListQuery, DecodeCursorRejectsTamperedText) {
  Cursor c = MakeCursor(SortField::kCreatedAt, true, "0190a1b2-1111-7000-8000-000000000001", std::int64_t{42});
  std::string text = EncodeCursor(c);
  ASSERT_TRUE(DecodeCursor(text).has_value());
  // Characters outside the alphabet, an impossible length, a cut in the middle
  // of the structure.
  EXPECT_FALSE(DecodeCursor(text + "*").has_value());
  EXPECT_FALSE(DecodeCursor("*" + text.substr(1)).has_value());
  EXPECT_FALSE(DecodeCursor(text.substr(0, 8)).has_value());
  // The first four characters carry "v1|": any change to them is caught.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (size_t pos = 0; pos < 4; ++pos) {
    for (char ch : alphabet) {
      if (ch == text[pos]) continue;
      std::string t = text;
      t[pos] = ch;
      EXPECT_FALSE(DecodeCursor(t).has_value()) << t;
    }
  }
  // Turning the date cursor into a name-sorted one by editing the decoded text.
  EXPECT_FALSE(DecodeCursor(Base64UrlEncode("v1|created_at|desc|0190a1b2|forty-two")).has_value());
}

// ---- parameters ---------------------------------------------------------------

TEST(CoreListQuery, NoParametersGivesDefaults) {
  ListQuery q = ParseOk({});
  EXPECT_FALSE(q.q || q.type || q.owner_id || q.project || q.folder || q.status || q.state || q.tag ||
               q.uploaded_after || q.uploaded_before || q.min_size || q.max_size || q.cursor);
  EXPECT_EQ(q.sort, SortField::kCreatedAt);
  EXPECT_TRUE(q.descending);
  EXPECT_EQ(q.limit, 50);
}

TEST(CoreListQuery, EveryParameterParses) {
  Params p{{"q", "relatório anual"},
           {"type", "pdf"},
           {"owner", "0190a1b2-3333-7000-8000-000000000003"},
           {"project", "apollo"},
           {"folder", "/docs/2026/"},
           {"status", "approved"},
           {"state", "ready"},
           {"tag", "finance"},
           {"uploaded_after", "2026-01-01T00:00:00Z"},
           {"uploaded_before", "2026-02-01"},
           {"min_size", "1024"},
           {"max_size", "5368709120"},
           {"sort", "size"},
           {"order", "asc"},
           {"limit", "25"},
           {"cursor", EncodeCursor(MakeCursor(SortField::kSize, false, "id-9", std::int64_t{2048}))}};
  ListQuery q = ParseOk(p);
  EXPECT_EQ(q.q, "relatório anual");
  ASSERT_TRUE(q.type.has_value());
  EXPECT_EQ(q.type->extension, "pdf");
  EXPECT_EQ(q.owner_id, "0190a1b2-3333-7000-8000-000000000003");
  EXPECT_EQ(q.project, "apollo");
  EXPECT_EQ(q.folder, "docs/2026");
  EXPECT_EQ(q.status, ReviewStatus::kApproved);
  EXPECT_EQ(q.state, FileState::kReady);
  EXPECT_EQ(q.tag, "finance");
  EXPECT_EQ(q.uploaded_after, ParseRfc3339("2026-01-01T00:00:00Z"));
  EXPECT_EQ(q.uploaded_before, ParseRfc3339("2026-02-01T00:00:00Z"));
  EXPECT_EQ(q.min_size, 1024);
  EXPECT_EQ(q.max_size, std::int64_t{5368709120});
  EXPECT_EQ(q.sort, SortField::kSize);
  EXPECT_FALSE(q.descending);
  EXPECT_EQ(q.limit, 25);
  ASSERT_TRUE(q.cursor.has_value());
  EXPECT_EQ(q.cursor->last_id, "id-9");
  EXPECT_EQ(q.cursor->last_value, (std::variant<std::int64_t, std::string>(std::int64_t{2048})));
}

TEST(CoreListQuery, UnknownParameterIsRejectedByName) {
  auto r = ParseListQuery({{"colour", "red"}}, kAlice);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(r.status().code(), "invalid_parameter");
  EXPECT_NE(r.status().message().find("colour"), std::string::npos) << r.status().message();
  // Case matters: "Limit" is not "limit".
  ExpectBadParameter({{"Limit", "5"}}, "Limit");
}

TEST(CoreListQuery, RepeatedParameterIsRejected) {
  ExpectBadParameter({{"tag", "a"}, {"tag", "b"}}, "tag");
  ExpectBadParameter({{"limit", "5"}, {"limit", "5"}}, "limit");
}

TEST(CoreListQuery, LimitOutsideOneToThousandIsRejected) {
  for (const char* v : {"0", "1001", "abc", "-1", "", "10.5", " 10", "1e3", "99999999999999999999"})
    ExpectBadParameter({{"limit", v}}, "limit");
}

TEST(CoreListQuery, LimitOneAndThousandAreAccepted) {
  EXPECT_EQ(ParseOk({{"limit", "1"}}).limit, 1);
  EXPECT_EQ(ParseOk({{"limit", "1000"}}).limit, 1000);
}

TEST(CoreListQuery, TypeExtensionIsLowercased) {
  ListQuery q = ParseOk({{"type", "PDF"}});
  ASSERT_TRUE(q.type.has_value());
  EXPECT_EQ(q.type->extension, "pdf");
  EXPECT_EQ(q.type->mime, "");
  EXPECT_EQ(q.type->mime_prefix, "");
}

TEST(CoreListQuery, TypeWithSlashIsAnExactMimeType) {
  ListQuery q = ParseOk({{"type", "application/pdf"}});
  ASSERT_TRUE(q.type.has_value());
  EXPECT_EQ(q.type->mime, "application/pdf");
  EXPECT_EQ(q.type->extension, "");
  EXPECT_EQ(q.type->mime_prefix, "");
}

TEST(CoreListQuery, TypeWithWildcardIsAMimePrefix) {
  ListQuery q = ParseOk({{"type", "image/*"}});
  ASSERT_TRUE(q.type.has_value());
  EXPECT_EQ(q.type->mime_prefix, "image/");
  EXPECT_EQ(q.type->mime, "");
  EXPECT_EQ(q.type->extension, "");
}

TEST(CoreListQuery, TypeThatIsNeitherIsRejected) {
  for (const char* v : {"", "tar.gz", ".pdf", "averyveryverylongextension"}) ExpectBadParameter({{"type", v}}, "type");
}

TEST(CoreListQuery, MimeForExtensionKnowsCommonTypes) {
  EXPECT_EQ(MimeForExtension("pdf"), "application/pdf");
  EXPECT_EQ(MimeForExtension("jpg"), "image/jpeg");
  EXPECT_EQ(MimeForExtension("jpeg"), "image/jpeg");
  EXPECT_EQ(MimeForExtension("docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_EQ(MimeForExtension("unknownext"), "");
  EXPECT_EQ(MimeForExtension(""), "");
}

TEST(CoreListQuery, OwnerMeResolvesToTheCaller) {
  EXPECT_EQ(ParseOk({{"owner", "me"}}).owner_id, kAlice.user_id);
  EXPECT_EQ(ParseOk({{"owner", "me"}}, kAdmin).owner_id, kAdmin.user_id);
}

TEST(CoreListQuery, OwnerIdIsKeptAsGiven) {
  EXPECT_EQ(ParseOk({{"owner", "someone-else"}}).owner_id, "someone-else");
  ExpectBadParameter({{"owner", ""}}, "owner");
}

TEST(CoreListQuery, NonAdminIsAlwaysLimitedToOwnFiles) {
  EXPECT_EQ(ParseOk({}).visible_owner, kAlice.user_id);
  // Asking for someone else's files keeps the limit, so the answer is empty.
  ListQuery q = ParseOk({{"owner", "someone-else"}});
  EXPECT_EQ(q.owner_id, "someone-else");
  EXPECT_EQ(q.visible_owner, kAlice.user_id);
}

TEST(CoreListQuery, AdminSeesEveryOwner) {
  EXPECT_FALSE(ParseOk({}, kAdmin).visible_owner.has_value());
  EXPECT_FALSE(ParseOk({{"owner", "someone-else"}}, kAdmin).visible_owner.has_value());
}

TEST(CoreListQuery, StateDeletingIsNotListable) {
  ExpectBadParameter({{"state", "deleting"}}, "state");
  ExpectBadParameter({{"state", "gone"}}, "state");
  ExpectBadParameter({{"state", "Ready"}}, "state");
}

TEST(CoreListQuery, EveryOtherStateIsAccepted) {
  EXPECT_EQ(ParseOk({{"state", "pending"}}).state, FileState::kPending);
  EXPECT_EQ(ParseOk({{"state", "ready"}}).state, FileState::kReady);
  EXPECT_EQ(ParseOk({{"state", "processing"}}).state, FileState::kProcessing);
  EXPECT_EQ(ParseOk({{"state", "missing"}}).state, FileState::kMissing);
  EXPECT_EQ(ParseOk({{"state", "quarantined"}}).state, FileState::kQuarantined);
}

TEST(CoreListQuery, ReviewStatusValues) {
  EXPECT_EQ(ParseOk({{"status", "pending"}}).status, ReviewStatus::kPending);
  EXPECT_EQ(ParseOk({{"status", "rejected"}}).status, ReviewStatus::kRejected);
  ExpectBadParameter({{"status", "maybe"}}, "status");
}

TEST(CoreListQuery, MalformedValuesAreRejectedByName) {
  ExpectBadParameter({{"uploaded_after", "yesterday"}}, "uploaded_after");
  ExpectBadParameter({{"uploaded_before", "2026-02-30"}}, "uploaded_before");
  ExpectBadParameter({{"min_size", "-1"}}, "min_size");
  ExpectBadParameter({{"max_size", "5GiB"}}, "max_size");
  ExpectBadParameter({{"folder", "a//b"}}, "folder");
  ExpectBadParameter({{"folder", "a/../b"}}, "folder");
  ExpectBadParameter({{"sort", "owner"}}, "sort");
  ExpectBadParameter({{"order", "up"}}, "order");
  ExpectBadParameter({{"q", std::string(201, 'x')}}, "q");
  ExpectBadParameter({{"q", "\xff"}}, "q");
}

TEST(CoreListQuery, EmptySearchTextMeansNoSearch) {
  EXPECT_FALSE(ParseOk({{"q", ""}}).q.has_value());
  EXPECT_EQ(ParseOk({{"q", std::string(200, 'x')}}).q, std::string(200, 'x'));
}

TEST(CoreListQuery, DefaultOrderIsNewestFirstForDates) {
  ListQuery q = ParseOk({{"sort", "created_at"}});
  EXPECT_EQ(q.sort, SortField::kCreatedAt);
  EXPECT_TRUE(q.descending);
}

TEST(CoreListQuery, DefaultOrderIsAToZForNames) {
  ListQuery q = ParseOk({{"sort", "name"}});
  EXPECT_EQ(q.sort, SortField::kName);
  EXPECT_FALSE(q.descending);
}

TEST(CoreListQuery, DefaultOrderIsLargestFirstForSizes) {
  EXPECT_TRUE(ParseOk({{"sort", "size"}}).descending);
}

TEST(CoreListQuery, ExplicitOrderOverridesTheDefault) {
  EXPECT_TRUE(ParseOk({{"sort", "name"}, {"order", "desc"}}).descending);
  EXPECT_FALSE(ParseOk({{"sort", "created_at"}, {"order", "asc"}}).descending);
}

TEST(CoreListQuery, CursorContinuesTheSameListing) {
  Cursor c = MakeCursor(SortField::kName, false, "id-7", std::string("relatório|2.pdf"));
  ListQuery q = ParseOk({{"sort", "name"}, {"cursor", EncodeCursor(c)}});
  ASSERT_TRUE(q.cursor.has_value());
  ExpectSameCursor(*q.cursor, c);
}

TEST(CoreListQuery, CursorFromAnotherSortIsRejected) {
  Cursor by_name = MakeCursor(SortField::kName, false, "id-7", std::string("b.pdf"));
  ExpectBadParameter({{"cursor", EncodeCursor(by_name)}}, "cursor");  // default sort is created_at
  ExpectBadParameter({{"sort", "size"}, {"order", "asc"}, {"cursor", EncodeCursor(by_name)}}, "cursor");
}

TEST(CoreListQuery, CursorFromAnotherOrderIsRejected) {
  Cursor newest_first = MakeCursor(SortField::kCreatedAt, true, "id-7", std::int64_t{1});
  EXPECT_TRUE(ParseOk({{"cursor", EncodeCursor(newest_first)}}).cursor.has_value());
  ExpectBadParameter({{"order", "asc"}, {"cursor", EncodeCursor(newest_first)}}, "cursor");
}

TEST(CoreListQuery, CursorThatIsNotOursIsRejected) {
  ExpectBadParameter({{"cursor", "garbage"}}, "cursor");
  ExpectBadParameter({{"cursor", ""}}, "cursor");
}

}  // namespace
}  // namespace arca
