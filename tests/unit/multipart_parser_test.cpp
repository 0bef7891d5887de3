#include "http/multipart/multipart_parser.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace arca::http {
namespace {

const std::string kBoundary = "----ArcaFormBoundary7MA4YWxkTrZu0gW";
const std::string kUtf8Name = "relat\xC3\xB3rio final.pdf";  // "relatório final.pdf"

struct Part {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
  std::string data;
  bool ended = false;
  bool operator==(const Part&) const = default;
};

// Records parts and checks the callback protocol the handler interface promises.
class Recorder : public MultipartHandler {
 public:
  Status OnPartBegin(const PartHeaders& h) override {
    if (open_) protocol_errors.push_back("OnPartBegin inside a part");
    parts.push_back(Part{h.name, h.filename, h.content_type, "", false});
    open_ = true;
    return Status::Ok();
  }
  Status OnPartData(std::string_view bytes) override {
    if (!open_) protocol_errors.push_back("OnPartData outside a part");
    if (bytes.empty()) protocol_errors.push_back("OnPartData with no bytes");
    if (!parts.empty()) parts.back().data.append(bytes);
    delivered += bytes.size();
    return Status::Ok();
  }
  Status OnPartEnd() override {
    if (!open_) protocol_errors.push_back("OnPartEnd outside a part");
    if (!parts.empty()) parts.back().ended = true;
    open_ = false;
    return Status::Ok();
  }

  std::vector<Part> parts;
  std::vector<std::string> protocol_errors;
  size_t delivered = 0;

 private:
  bool open_ = false;
};

std::string PartHead(std::string_view disposition_params, std::string_view content_type = "") {
  std::string s = "--" + kBoundary + "\r\nContent-Disposition: form-data; " + std::string(disposition_params) + "\r\n";
  if (!content_type.empty()) s += "Content-Type: " + std::string(content_type) + "\r\n";
  return s + "\r\n";
}

std::string Close() { return "\r\n--" + kBoundary + "--\r\n"; }

// File bytes built to trip a careless boundary search: CRLF-dash runs, the
// boundary without its CRLF, every proper prefix of the delimiter, NULs, and
// a last byte run that is itself a delimiter prefix.
std::string TrickyBinary() {
  const std::string delimiter = "\r\n--" + kBoundary;
  std::string s("\x00\x01\xff\r\n", 5);
  s += "\r\n--";
  s += "--" + kBoundary + "\r\n";
  s += "\r\r\n--" + kBoundary.substr(0, 10) + "\n";
  for (size_t n = 1; n < delimiter.size(); ++n) s += delimiter.substr(0, n) + "x";
  s += "\r\n-\r\n--\r\r\r";
  s += delimiter.substr(0, delimiter.size() - 1);
  return s;
}

std::string SampleBody() {
  return "This preamble is ignored.\r\n" + PartHead("name=\"folder\"") + "projects/2024\r\n" +
         PartHead("name=\"description\"") + "Quarterly report\r\nsecond line" + "\r\n" +
         PartHead("name=\"file\"; filename=\"report.bin\"", "application/octet-stream") + TrickyBinary() + Close() +
         "epilogue with --" + kBoundary + "-- in it\r\n";
}

std::vector<Part> SampleParts() {
  return {
      {"folder", std::nullopt, "", "projects/2024", true},
      {"description", std::nullopt, "", "Quarterly report\r\nsecond line", true},
      {"file", "report.bin", "application/octet-stream", TrickyBinary(), true},
  };
}

// Feeds `body` cut at `cuts` (ascending offsets) and finishes.
Status Parse(std::string_view body, const std::vector<size_t>& cuts, Recorder& rec,
             const std::string& boundary = kBoundary) {
  MultipartParser parser(boundary, rec);
  size_t from = 0;
  for (size_t cut : cuts) {
    ARCA_RETURN_IF_ERROR(parser.Feed(body.substr(from, cut - from)));
    from = cut;
  }
  ARCA_RETURN_IF_ERROR(parser.Feed(body.substr(from)));
  return parser.Finish();
}

Status ParseWhole(std::string_view body, Recorder& rec) { return Parse(body, {}, rec); }

Status ParseByteByByte(std::string_view body, Recorder& rec) {
  std::vector<size_t> cuts(body.size());
  for (size_t i = 0; i < body.size(); ++i) cuts[i] = i;
  return Parse(body, cuts, rec);
}

void ExpectMalformed(const Status& st) {
  EXPECT_EQ(st.kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(st.code(), "malformed_multipart");
  EXPECT_FALSE(st.message().empty());
}

// Parses a one-part body and returns that part's headers, or the error.
Result<Part> ParseSinglePart(std::string_view head_lines) {
  std::string body = "--" + kBoundary + "\r\n" + std::string(head_lines) + "\r\nx" + Close();
  Recorder rec;
  Status st = ParseWhole(body, rec);
  if (!st.ok()) return st;
  if (rec.parts.size() != 1) return Internal("test", "expected one part");
  return rec.parts[0];
}

TEST(MultipartParserTest, ParsesTwoFieldsAndAFileFedWhole) {
  Recorder rec;
  ASSERT_TRUE(ParseWhole(SampleBody(), rec).ok());
  EXPECT_EQ(rec.parts, SampleParts());
  EXPECT_TRUE(rec.protocol_errors.empty());
}

TEST(MultipartParserTest, GivesTheSamePartsWhateverByteTheBodyIsSplitAt) {
  const std::string body = SampleBody();
  const std::vector<Part> expected = SampleParts();
  for (size_t cut = 0; cut <= body.size(); ++cut) {
    Recorder rec;
    Status st = Parse(body, {cut}, rec);
    ASSERT_TRUE(st.ok()) << "cut at " << cut << ": " << st.message();
    ASSERT_EQ(rec.parts, expected) << "cut at " << cut;
    ASSERT_TRUE(rec.protocol_errors.empty()) << "cut at " << cut << ": " << rec.protocol_errors[0];
  }
}

TEST(MultipartParserTest, GivesTheSamePartsWhenFedOneByteAtATime) {
  Recorder rec;
  ASSERT_TRUE(ParseByteByByte(SampleBody(), rec).ok());
  EXPECT_EQ(rec.parts, SampleParts());
  EXPECT_TRUE(rec.protocol_errors.empty());
}

TEST(MultipartParserTest, KeepsNearBoundaryBytesInBinaryData) {
  // Data that is nothing but near-delimiters, in the first and in a middle
  // part; runs of CRs of both parities right before the real delimiter.
  const std::string data = TrickyBinary();
  for (std::string ending : {"", "\r", "\r\r", "\r\r\r"}) {
    const std::string body = PartHead("name=\"a\"; filename=\"a.bin\"") + data + ending + "\r\n" +
                             PartHead("name=\"b\"; filename=\"b.bin\"") + ending + data + ending + Close();
    for (size_t cut = 0; cut <= body.size(); ++cut) {
      Recorder rec;
      ASSERT_TRUE(Parse(body, {cut}, rec).ok()) << "cut at " << cut;
      ASSERT_EQ(rec.parts.size(), 2u);
      ASSERT_EQ(rec.parts[0].data, data + ending) << "cut at " << cut;
      ASSERT_EQ(rec.parts[1].data, ending + data + ending) << "cut at " << cut;
    }
  }
}

TEST(MultipartParserTest, KeepsRawUtf8BytesOfFilename) {
  auto part = ParseSinglePart("Content-Disposition: form-data; name=\"file\"; filename=\"" + kUtf8Name + "\"\r\n");
  ASSERT_TRUE(part.ok()) << part.status().message();
  EXPECT_EQ(part->filename, kUtf8Name);
}

TEST(MultipartParserTest, DecodesPercentEncodedUtf8FilenameStar) {
  auto part = ParseSinglePart(
      "Content-Disposition: form-data; name=\"file\"; filename*=UTF-8''relat%C3%B3rio%20final.pdf\r\n");
  ASSERT_TRUE(part.ok()) << part.status().message();
  EXPECT_EQ(part->filename, kUtf8Name);
}

TEST(MultipartParserTest, FilenameStarWinsOverFilenameWhicheverComesFirst) {
  for (std::string params : {"filename=\"relatorio final.pdf\"; filename*=utf-8'pt'relat%c3%b3rio%20final.pdf",
                             "filename*=utf-8'pt'relat%c3%b3rio%20final.pdf; filename=\"relatorio final.pdf\""}) {
    auto part = ParseSinglePart("Content-Disposition: form-data; name=\"file\"; " + params + "\r\n");
    ASSERT_TRUE(part.ok()) << part.status().message();
    EXPECT_EQ(part->filename, kUtf8Name) << params;
  }
}

TEST(MultipartParserTest, ConvertsLatin1FilenameStarToUtf8) {
  auto part = ParseSinglePart(
      "Content-Disposition: form-data; name=\"file\"; filename*=ISO-8859-1''relat%F3rio%20final.pdf\r\n");
  ASSERT_TRUE(part.ok()) << part.status().message();
  EXPECT_EQ(part->filename, kUtf8Name);
}

TEST(MultipartParserTest, FallsBackToFilenameWhenFilenameStarIsUndecodable) {
  auto part = ParseSinglePart(
      "Content-Disposition: form-data; name=\"file\"; filename=\"plain.txt\"; filename*=UTF-8''bad%zz\r\n");
  ASSERT_TRUE(part.ok()) << part.status().message();
  EXPECT_EQ(part->filename, "plain.txt");

  auto alone = ParseSinglePart("Content-Disposition: form-data; name=\"file\"; filename*=KOI8-R''%C1\r\n");
  ASSERT_FALSE(alone.ok());
  ExpectMalformed(alone.status());
}

TEST(MultipartParserTest, UnescapesQuotedStringsButKeepsWindowsPaths) {
  auto part = ParseSinglePart(R"(Content-Disposition: form-data; name="say \"hi\""; filename="C:\docs\a\\b.txt")"
                              "\r\n");
  ASSERT_TRUE(part.ok()) << part.status().message();
  EXPECT_EQ(part->name, "say \"hi\"");
  EXPECT_EQ(part->filename, R"(C:\docs\a\b.txt)");
}

TEST(MultipartParserTest, FilenameIsAbsentForFieldsAndEmptyWhenSentEmpty) {
  auto field = ParseSinglePart("Content-Disposition: form-data; name=\"tags\"\r\n");
  ASSERT_TRUE(field.ok());
  EXPECT_EQ(field->filename, std::nullopt);
  EXPECT_EQ(field->content_type, "");

  // Browsers send filename="" for a file input left empty.
  auto empty = ParseSinglePart("Content-Disposition: form-data; name=\"file\"; filename=\"\"\r\n"
                               "Content-Type: application/octet-stream\r\n");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->filename, "");
}

TEST(MultipartParserTest, ReadsHeaderNamesAndParametersCaseInsensitively) {
  auto part = ParseSinglePart(
      "content-DISPOSITION:Form-Data;NAME=file ;  FileName=\"a.txt\" \r\n"
      "X-Ignored: yes\r\n"
      "CONTENT-TYPE:   text/plain; charset=utf-8  \r\n");
  ASSERT_TRUE(part.ok()) << part.status().message();
  EXPECT_EQ(part->name, "file");
  EXPECT_EQ(part->filename, "a.txt");
  EXPECT_EQ(part->content_type, "text/plain; charset=utf-8");
}

TEST(MultipartParserTest, JoinsFoldedHeaderLines) {
  auto part = ParseSinglePart("Content-Disposition: form-data;\r\n\tname=\"folded\"\r\n");
  ASSERT_TRUE(part.ok()) << part.status().message();
  EXPECT_EQ(part->name, "folded");
}

TEST(MultipartParserTest, AcceptsTransportPaddingAfterBoundaries) {
  std::string body = "--" + kBoundary + " \t \r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--" +
                     kBoundary + "\t\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n2" + Close();
  Recorder rec;
  ASSERT_TRUE(ParseByteByByte(body, rec).ok());
  ASSERT_EQ(rec.parts.size(), 2u);
  EXPECT_EQ(rec.parts[0].data, "1");
  EXPECT_EQ(rec.parts[1].data, "2");
}

TEST(MultipartParserTest, AcceptsEmptyPartsAndABodyWithNoParts) {
  Recorder rec;
  ASSERT_TRUE(ParseWhole(PartHead("name=\"empty\"") + Close(), rec).ok());
  ASSERT_EQ(rec.parts.size(), 1u);
  EXPECT_EQ(rec.parts[0], (Part{"empty", std::nullopt, "", "", true}));

  Recorder none;
  EXPECT_TRUE(ParseWhole("--" + kBoundary + "--", none).ok());
  EXPECT_TRUE(none.parts.empty());
}

TEST(MultipartParserTest, IgnoresBytesAfterTheClosingBoundaryEvenAfterFinish) {
  Recorder rec;
  MultipartParser parser(kBoundary, rec);
  ASSERT_TRUE(parser.Feed(PartHead("name=\"a\"") + "1" + Close() + "junk\r\n--" + kBoundary + "\r\n").ok());
  ASSERT_TRUE(parser.Finish().ok());
  EXPECT_TRUE(parser.Feed("more junk").ok());
  ASSERT_EQ(rec.parts.size(), 1u);
  EXPECT_EQ(rec.parts[0].data, "1");
}

TEST(MultipartParserTest, MissingClosingBoundaryFailsFinishAndLeavesThePartOpen) {
  Recorder rec;
  MultipartParser parser(kBoundary, rec);
  ASSERT_TRUE(parser.Feed(PartHead("name=\"file\"; filename=\"a.txt\"") + "truncated upload\r\n").ok());
  Status st = parser.Finish();
  ExpectMalformed(st);
  ASSERT_EQ(rec.parts.size(), 1u);
  EXPECT_FALSE(rec.parts[0].ended);
  // The error is sticky.
  EXPECT_EQ(parser.Feed("--" + kBoundary + "--").code(), "malformed_multipart");
  EXPECT_EQ(parser.Finish().code(), "malformed_multipart");
}

TEST(MultipartParserTest, BodyWithoutAnyBoundaryFailsFinish) {
  Recorder rec;
  ExpectMalformed(ParseWhole("just some bytes, no multipart here", rec));
  EXPECT_TRUE(rec.parts.empty());
}

TEST(MultipartParserTest, RejectsHeaderBlockOver16KiB) {
  std::string head = "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"a\"\r\n";
  std::string big = head + "X-Pad: " + std::string(17 * 1024, 'p') + "\r\n\r\ndata" + Close();
  Recorder rec;
  ExpectMalformed(ParseWhole(big, rec));
  Recorder rec_bytes;
  ExpectMalformed(ParseByteByByte(big, rec_bytes));
  EXPECT_TRUE(rec.parts.empty());

  // Many short lines count too, and a body that never ends its headers
  // fails as soon as the limit is passed rather than at the end.
  Recorder rec_lines;
  MultipartParser parser(kBoundary, rec_lines);
  ASSERT_TRUE(parser.Feed(head).ok());
  Status st;
  int fed = 0;
  while (st.ok() && fed < 10000) {
    st = parser.Feed("X-A: b\r\n");
    ++fed;
  }
  ExpectMalformed(st);
  EXPECT_LT(fed * 8, 17 * 1024);
}

TEST(MultipartParserTest, AcceptsHeaderBlockOfExactly16KiBButNotOneByteMore) {
  const std::string disposition = "Content-Disposition: form-data; name=\"a\"\r\n";
  const std::string pad_start = "X-Pad: ";
  const size_t pad = MultipartParser::kMaxHeaderBytes - disposition.size() - pad_start.size() - 2 - 2;
  auto body_with_pad = [&](size_t n) {
    return "--" + kBoundary + "\r\n" + disposition + pad_start + std::string(n, 'p') + "\r\n\r\nok" + Close();
  };
  ASSERT_EQ((disposition + pad_start + std::string(pad, 'p') + "\r\n\r\n").size(), 16u * 1024);
  Recorder rec;
  ASSERT_TRUE(ParseWhole(body_with_pad(pad), rec).ok());
  ASSERT_EQ(rec.parts.size(), 1u);
  EXPECT_EQ(rec.parts[0].data, "ok");

  Recorder over;
  ExpectMalformed(ParseWhole(body_with_pad(pad + 1), over));
  EXPECT_TRUE(over.parts.empty());
}

TEST(MultipartParserTest, Accepts1000PartsAndRejectsTheNext) {
  std::string body;
  for (int i = 0; i < MultipartParser::kMaxParts; ++i) body += PartHead("name=\"f\"") + "v\r\n";
  Recorder rec;
  ASSERT_TRUE(ParseWhole(body + "--" + kBoundary + "--", rec).ok());
  EXPECT_EQ(rec.parts.size(), 1000u);

  Recorder too_many;
  ExpectMalformed(ParseWhole(body + PartHead("name=\"f\"") + "v" + Close(), too_many));
  EXPECT_EQ(too_many.parts.size(), 1000u);
}

TEST(MultipartParserTest, RejectsMalformedPartHeaders) {
  const std::vector<std::string> bad = {
      "Content-Type: text/plain\r\n",                                  // no Content-Disposition
      "Content-Disposition: form-data; filename=\"a.txt\"\r\n",        // no name
      "Content-Disposition: attachment; name=\"a\"\r\n",               // not form-data
      "Content-Disposition: form-data; name=\"a\r\n",                  // unterminated quote
      "Content-Disposition: form-data; name=\"a\"; name=\"b\"\r\n",    // ambiguous name
      "Content-Disposition: form-data; name=\"a\" junk\r\n",           // no ';'
      "Content-Disposition form-data; name=\"a\"\r\n",                 // no ':'
      "Content-Disposition: form-data; name=\"a\"\nX: y\r\n",          // bare LF
      " name=\"a\"\r\nContent-Disposition: form-data; name=\"a\"\r\n",  // starts folded
  };
  for (const std::string& head : bad) {
    auto part = ParseSinglePart(head);
    ASSERT_FALSE(part.ok()) << head;
    ExpectMalformed(part.status());
  }
}

TEST(MultipartParserTest, RejectsBytesAfterABoundaryOtherThanPaddingAndCrlf) {
  for (std::string after : {"x\r\n", "-x", " x\r\n", "\r\r\n", "\n"}) {
    Recorder rec;
    ExpectMalformed(ParseWhole("--" + kBoundary + after + "Content-Disposition: form-data; name=\"a\"\r\n\r\n" +
                                   "1" + Close(),
                               rec));
  }
}

TEST(MultipartParserTest, RejectsAnInvalidBoundaryOnFirstUse) {
  for (std::string boundary : {std::string(), std::string(71, 'b'), std::string("a\r\nb")}) {
    Recorder rec;
    MultipartParser parser(boundary, rec);
    ExpectMalformed(parser.Feed("--" + boundary + "--"));
    ExpectMalformed(parser.Finish());
  }
}

// Fails in one chosen callback, and counts the callbacks that arrive after.
class FailingHandler : public Recorder {
 public:
  enum class Where { kBegin, kData, kEnd };
  explicit FailingHandler(Where where) : where_(where) {}
  Status OnPartBegin(const PartHeaders& h) override {
    if (failed_) ++calls_after_failure_;
    if (where_ == Where::kBegin && h.name == "file") return Fail();
    return Recorder::OnPartBegin(h);
  }
  Status OnPartData(std::string_view bytes) override {
    if (failed_) ++calls_after_failure_;
    if (where_ == Where::kData && !parts.empty() && parts.back().name == "file") return Fail();
    return Recorder::OnPartData(bytes);
  }
  Status OnPartEnd() override {
    if (failed_) ++calls_after_failure_;
    if (where_ == Where::kEnd && !parts.empty() && parts.back().name == "file") return Fail();
    return Recorder::OnPartEnd();
  }
  int calls_after_failure() const { return calls_after_failure_; }

 private:
  Status Fail() {
    failed_ = true;
    return Unavailable("store_unavailable", "object store did not answer");
  }
  Where where_;
  bool failed_ = false;
  int calls_after_failure_ = 0;
};

TEST(MultipartParserTest, ReturnsTheHandlerErrorUnchangedAndStops) {
  const std::string body = PartHead("name=\"file\"; filename=\"a.bin\"") + std::string(1000, 'z') + "\r\n" +
                           PartHead("name=\"after\"") + "x" + Close();
  for (auto where : {FailingHandler::Where::kBegin, FailingHandler::Where::kData, FailingHandler::Where::kEnd}) {
    for (size_t chunk : {body.size(), size_t{7}, size_t{1}}) {
      FailingHandler handler(where);
      MultipartParser parser(kBoundary, handler);
      Status st;
      for (size_t i = 0; i < body.size() && st.ok(); i += chunk) {
        st = parser.Feed(std::string_view(body).substr(i, chunk));
      }
      EXPECT_EQ(st.kind(), ErrorKind::kUnavailable);
      EXPECT_EQ(st.code(), "store_unavailable");
      EXPECT_EQ(st.message(), "object store did not answer");
      EXPECT_EQ(handler.calls_after_failure(), 0);
      EXPECT_EQ(parser.Feed("more").code(), "store_unavailable");
      EXPECT_EQ(parser.Finish().code(), "store_unavailable");
      EXPECT_EQ(handler.calls_after_failure(), 0);
    }
  }
}

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

TEST(MultipartParserTest, StreamsA5MBPartIn64KiBChunksWithoutHoldingIt) {
  std::mt19937_64 rng(42);
  std::string data(5 * 1000 * 1000, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  // Sprinkle delimiter prefixes so the hot path meets candidates.
  const std::string near = "\r\n--" + kBoundary.substr(0, kBoundary.size() - 1) + "!";
  for (size_t at = 1000; at + near.size() < data.size(); at += 65536 + 13) data.replace(at, near.size(), near);

  const std::string head = PartHead("name=\"file\"; filename=\"big.bin\"", "application/octet-stream");
  const std::string body = head + data + Close();
  Recorder rec;
  MultipartParser parser(kBoundary, rec);
  const size_t kChunk = 64 * 1024;
  const size_t max_held = ("\r\n--" + kBoundary).size();
  for (size_t off = 0; off < body.size(); off += kChunk) {
    Status st = parser.Feed(std::string_view(body).substr(off, kChunk));
    ASSERT_TRUE(st.ok()) << st.message();
    size_t fed = std::min(off + kChunk, body.size());
    size_t data_fed = std::min(fed > head.size() ? fed - head.size() : 0, data.size());
    // Everything but a possible delimiter prefix has already reached the handler.
    ASSERT_GE(rec.delivered + max_held, data_fed) << "after " << fed << " bytes";
  }
  ASSERT_TRUE(parser.Finish().ok());
  ASSERT_EQ(rec.parts.size(), 1u);
  EXPECT_TRUE(rec.parts[0].ended);
  EXPECT_EQ(rec.parts[0].data.size(), data.size());
  EXPECT_EQ(Fnv1a(rec.parts[0].data), Fnv1a(data));
  EXPECT_TRUE(rec.parts[0].data == data);
}

TEST(BoundaryFromContentTypeTest, ReadsUnquotedBoundary) {
  EXPECT_EQ(MultipartParser::BoundaryFromContentType("multipart/form-data; boundary=----WebKitFormBoundaryABC123"),
            "----WebKitFormBoundaryABC123");
}

TEST(BoundaryFromContentTypeTest, ReadsQuotedBoundaryWithSpaceAndEscapes) {
  EXPECT_EQ(MultipartParser::BoundaryFromContentType("multipart/form-data; boundary=\"a b\""), "a b");
  EXPECT_EQ(MultipartParser::BoundaryFromContentType(R"(multipart/form-data;boundary="x\=y")"), "x=y");
}

TEST(BoundaryFromContentTypeTest, IgnoresCaseAndOtherParameters) {
  EXPECT_EQ(MultipartParser::BoundaryFromContentType("  Multipart/Form-Data ; charset=utf-8; BOUNDARY=abc ; x=\"y;z\""),
            "abc");
}

TEST(BoundaryFromContentTypeTest, RejectsOtherMediaTypes) {
  EXPECT_EQ(MultipartParser::BoundaryFromContentType("multipart/mixed; boundary=abc"), std::nullopt);
  EXPECT_EQ(MultipartParser::BoundaryFromContentType("application/json"), std::nullopt);
  EXPECT_EQ(MultipartParser::BoundaryFromContentType("multipart/form-dataX; boundary=abc"), std::nullopt);
  EXPECT_EQ(MultipartParser::BoundaryFromContentType(""), std::nullopt);
}

TEST(BoundaryFromContentTypeTest, RejectsMissingEmptyOrInvalidBoundary) {
  EXPECT_EQ(MultipartParser::BoundaryFromContentType("multipart/form-data"), std::nullopt);
  EXPECT_EQ(MultipartParser::BoundaryFromContentType("multipart/form-data; charset=utf-8"), std::nullopt);
  EXPECT_EQ(MultipartParser::BoundaryFromContentType("multipart/form-data; boundary="), std::nullopt);
  EXPECT_EQ(MultipartParser::BoundaryFromContentType("multipart/form-data; boundary=\"\""), std::nullopt);
  EXPECT_EQ(MultipartParser::BoundaryFromContentType("multipart/form-data; boundary=\"abc"), std::nullopt);
  EXPECT_EQ(MultipartParser::BoundaryFromContentType("multipart/form-data; boundary=\"ends in space \""),
            std::nullopt);
  EXPECT_EQ(MultipartParser::BoundaryFromContentType("multipart/form-data; boundary=a; boundary=b"), std::nullopt);
}

TEST(BoundaryFromContentTypeTest, AcceptsUpTo70Characters) {
  EXPECT_EQ(MultipartParser::BoundaryFromContentType("multipart/form-data; boundary=" + std::string(70, 'b')),
            std::string(70, 'b'));
  EXPECT_EQ(MultipartParser::BoundaryFromContentType("multipart/form-data; boundary=" + std::string(71, 'b')),
            std::nullopt);
}

}  // namespace
}  // namespace arca::http
