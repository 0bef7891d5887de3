// The SigV4 signer against AWS's own answers: every case of the published
// test suite (aws-c-auth's copy, in the shared test data), then the S3 API
// reference examples, which are the ones that pin S3's own rules (no path
// normalisation, single encoding, x-amz-content-sha256, UNSIGNED-PAYLOAD).
#include "adapters/s3/sigv4_signer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "core/time.hpp"

namespace arca::s3 {
namespace {

namespace fs = std::filesystem;
using Pairs = std::vector<std::pair<std::string, std::string>>;

const fs::path kSuiteDir = fs::path(ARCA_SHARED_TESTDATA) / "aws-sigv4-test-suite";
constexpr size_t kMinSuiteCases = 30;

std::vector<std::string> ListCases() {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(kSuiteDir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(kSuiteDir, ec))
    if (entry.is_directory() && fs::exists(entry.path() / "context.json")) out.push_back(entry.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The expected-answer files carry no trailing newline today; tolerate one so
// a re-saved file does not turn into a signer failure.
std::string ReadExpected(const fs::path& p) {
  std::string s = ReadFile(p);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string Lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// Just enough JSON for context.json: objects, strings and bare literals. Leaf
// values land in one map by key; the suite's keys are unique across nesting.
class FlatJson {
 public:
  explicit FlatJson(std::string_view text) : s_(text) {
    Value("");
    Skip();
    if (i_ != s_.size()) throw std::runtime_error("trailing JSON");
  }
  std::optional<std::string> Get(const std::string& key) const {
    auto it = leaves_.find(key);
    return it == leaves_.end() ? std::nullopt : std::optional<std::string>(it->second);
  }

 private:
  void Skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  void Expect(char ch) {
    Skip();
    if (i_ >= s_.size() || s_[i_] != ch) throw std::runtime_error(std::string("JSON: expected ") + ch);
    ++i_;
  }
  std::string String() {
    Expect('"');
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char ch = s_[i_++];
      if (ch == '\\') {
        if (i_ >= s_.size()) break;
        char esc = s_[i_++];
        if (esc == 'n') ch = '\n';
        else if (esc == 't') ch = '\t';
        else if (esc == '"' || esc == '\\' || esc == '/') ch = esc;
        else throw std::runtime_error("JSON: unsupported escape");
      }
      out += ch;
    }
    Expect('"');
    return out;
  }
  void Value(const std::string& key) {
    Skip();
    if (i_ >= s_.size()) throw std::runtime_error("JSON: truncated");
    if (s_[i_] == '{') {
      ++i_;
      Skip();
      if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
        return;
      }
      while (true) {
        std::string k = String();
        Expect(':');
        Value(k);
        Skip();
        if (i_ < s_.size() && s_[i_] == ',') {
          ++i_;
          continue;
        }
        Expect('}');
        return;
      }
    }
    if (s_[i_] == '"') {
      leaves_[key] = String();
      return;
    }
    size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' || s_[i_] == '.'))
      ++i_;
    if (start == i_) throw std::runtime_error("JSON: unsupported value");
    leaves_[key] = std::string(s_.substr(start, i_ - start));
  }

  std::string_view s_;
  size_t i_ = 0;
  std::map<std::string, std::string> leaves_;
};

// A raw HTTP/1.1 request as the suite writes it. A folded header keeps its
// line breaks, exactly as it would be sent: collapsing them is the signer's job.
struct RawRequest {
  std::string method, target;
  Pairs headers;
  std::string body;
};

RawRequest ParseRaw(const std::string& text) {
  RawRequest out;
  size_t eol = text.find('\n');
  std::string line = text.substr(0, eol);
  // The target may itself hold spaces ("/example space/"), so cut at the first and last one.
  size_t first = line.find(' '), last = line.rfind(' ');
  if (first == std::string::npos || first == last) throw std::runtime_error("bad request line: " + line);
  out.method = line.substr(0, first);
  out.target = line.substr(first + 1, last - first - 1);
  size_t pos = eol == std::string::npos ? text.size() : eol + 1;
  while (pos < text.size()) {
    eol = text.find('\n', pos);
    line = text.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    pos = eol == std::string::npos ? text.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      out.body = text.substr(pos);
      break;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      if (out.headers.empty()) throw std::runtime_error("continuation before any header");
      out.headers.back().second += "\n" + line;
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string::npos) throw std::runtime_error("bad header line: " + line);
    out.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return out;
}

std::string Decode(std::string_view s) {
  auto d = PercentDecode(s);
  if (!d) throw std::runtime_error("bad percent-encoding: " + std::string(s));
  return *d;
}

// Query pairs in wire order; `decode` picks between the values and their encoded spelling.
Pairs SplitQuery(std::string_view q, bool decode) {
  Pairs out;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view k = part.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    out.emplace_back(decode ? Decode(k) : std::string(k), decode ? Decode(v) : std::string(v));
  }
  return out;
}

std::string QueryOf(const std::string& target) {
  size_t qm = target.find('?');
  return qm == std::string::npos ? std::string() : target.substr(qm + 1);
}

Pairs LowerNamesSorted(Pairs headers) {
  for (auto& h : headers) h.first = Lower(h.first);
  std::sort(headers.begin(), headers.end());
  return headers;
}

std::string HeaderValue(const Pairs& headers, const std::string& lower_name) {
  for (const auto& [k, v] : headers)
    if (Lower(k) == lower_name) return v;
  return {};
}

struct SuiteCase {
  Request request;
  Credentials creds;
  SignParams params;
  std::chrono::seconds expires{0};
};

SuiteCase LoadCase(const fs::path& dir) {
  FlatJson ctx(ReadFile(dir / "context.json"));
  auto need = [&](const std::string& key) {
    auto v = ctx.Get(key);
    if (!v) throw std::runtime_error("context.json lacks " + key);
    return *v;
  };
  SuiteCase c;
  c.creds.access_key = need("access_key_id");
  c.creds.secret_key = need("secret_access_key");
  c.creds.session_token = ctx.Get("token").value_or("");
  c.params.region = need("region");
  c.params.service = need("service");
  c.params.normalize_path = need("normalize") == "true";
  c.params.sign_body = need("sign_body") == "true";
  c.params.omit_session_token = ctx.Get("omit_session_token").value_or("false") == "true";
  auto now = ParseRfc3339(need("timestamp"));
  if (!now) throw std::runtime_error("bad timestamp");
  c.params.now = *now;
  c.expires = std::chrono::seconds(std::stoll(need("expiration_in_seconds")));

  RawRequest raw = ParseRaw(ReadFile(dir / "request.txt"));
  c.request.method = raw.method;
  size_t qm = raw.target.find('?');
  // Decoding never touches '.' or '/', so an unnormalised path keeps its literal dot segments.
  c.request.path = Decode(raw.target.substr(0, qm));
  c.request.query = SplitQuery(QueryOf(raw.target), /*decode=*/true);
  c.request.headers = raw.headers;
  c.request.payload_sha256 = Sha256Hex(raw.body);
  return c;
}

// Fails, rather than skips, so that losing the test data is noticed.
TEST(SigV4Suite, IsPresentAndComplete) {
  ASSERT_TRUE(fs::is_directory(kSuiteDir)) << kSuiteDir << " is missing";
  EXPECT_GE(ListCases().size(), kMinSuiteCases) << "cases in " << kSuiteDir;
}

class SigV4SuiteCase : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam().empty()) GTEST_SKIP() << kSuiteDir << " is missing (see SigV4Suite.IsPresentAndComplete)";
    dir_ = kSuiteDir / GetParam();
    ASSERT_NO_THROW(case_ = LoadCase(dir_)) << dir_;
  }
  fs::path dir_;
  SuiteCase case_;
};

TEST_P(SigV4SuiteCase, HeaderSigning) {
  const auto& [req, creds, params, expires] = case_;
  Pairs added;
  ASSERT_NO_THROW(added = SignHeaders(req, creds, params));

  // Rebuild what the signer signed: the request's headers plus the ones it adds,
  // minus Authorization and, when it is to stay unsigned, the token.
  Request signed_req = req;
  for (const auto& h : added) {
    std::string name = Lower(h.first);
    if (name == "authorization" || (params.omit_session_token && name == "x-amz-security-token")) continue;
    signed_req.headers.push_back(h);
  }
  const std::string canonical = CanonicalRequest(signed_req, params);
  EXPECT_EQ(canonical, ReadExpected(dir_ / "header-canonical-request.txt"));
  const std::string sts = StringToSign(canonical, params);
  EXPECT_EQ(sts, ReadExpected(dir_ / "header-string-to-sign.txt"));
  EXPECT_EQ(Signature(creds, sts, params), ReadExpected(dir_ / "header-signature.txt"));

  RawRequest expected = ParseRaw(ReadFile(dir_ / "header-signed-request.txt"));
  EXPECT_EQ(HeaderValue(added, "authorization"), HeaderValue(expected.headers, "authorization"));
  // Header order and name case are free on the wire; the set of headers is not.
  Pairs sent = req.headers;
  sent.insert(sent.end(), added.begin(), added.end());
  EXPECT_EQ(LowerNamesSorted(sent), LowerNamesSorted(expected.headers));
}

TEST_P(SigV4SuiteCase, QuerySigning) {
  const auto& [req, creds, params, expires] = case_;
  std::string query;
  ASSERT_NO_THROW(query = PresignQuery(req, creds, params, expires));

  Pairs wire = SplitQuery(query, /*decode=*/false);
  ASSERT_FALSE(wire.empty());
  EXPECT_EQ(wire.back().first, "X-Amz-Signature") << "the signature must come last";
  EXPECT_EQ(wire.back().second, ReadExpected(dir_ / "query-signature.txt"));
  // Every byte outside the unreserved set must be escaped on the wire, uppercase.
  for (const auto& [k, v] : wire) {
    EXPECT_EQ(k, PercentEncode(Decode(k)));
    EXPECT_EQ(v, PercentEncode(Decode(v)));
  }
  // Parameter order is free, and the suite's signed request leaves the caller's own
  // parameters as they came (get-vanilla-utf8-query sends a raw UTF-8 key), so compare decoded.
  RawRequest expected = ParseRaw(ReadFile(dir_ / "query-signed-request.txt"));
  Pairs want = SplitQuery(QueryOf(expected.target), /*decode=*/true);
  std::sort(want.begin(), want.end());
  Pairs got = SplitQuery(query, /*decode=*/true);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);

  // The signed request is the presigned one without its signature (and without an unsigned token).
  Request signed_req = req;
  signed_req.query.clear();
  for (const auto& [k, v] : SplitQuery(query, /*decode=*/true)) {
    if (k == "X-Amz-Signature" || (params.omit_session_token && k == "X-Amz-Security-Token")) continue;
    signed_req.query.emplace_back(k, v);
  }
  const std::string canonical = CanonicalRequest(signed_req, params);
  EXPECT_EQ(canonical, ReadExpected(dir_ / "query-canonical-request.txt"));
  const std::string sts = StringToSign(canonical, params);
  EXPECT_EQ(sts, ReadExpected(dir_ / "query-string-to-sign.txt"));
  EXPECT_EQ(Signature(creds, sts, params), ReadExpected(dir_ / "query-signature.txt"));
}

std::vector<std::string> CasesOrPlaceholder() {
  auto cases = ListCases();
  // One empty name stands for "no data": that instance skips, and IsPresentAndComplete fails.
  if (cases.empty()) cases.emplace_back();
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Aws, SigV4SuiteCase, ::testing::ValuesIn(CasesOrPlaceholder()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           if (info.param.empty()) return std::string("suite_missing");
                           std::string name = info.param;
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

// --- S3 examples from the Amazon S3 API reference (sig-v4-header-based-auth,
// sigv4-query-string-auth). They use the same keys, bucket and instant.

const Credentials kS3Creds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const std::string kEmptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string kHost = "examplebucket.s3.amazonaws.com";

SignParams S3Params() {
  SignParams p;
  p.region = "us-east-1";
  p.service = "s3";
  p.now = *ParseRfc3339("2013-05-24T00:00:00Z");
  p.sign_body = true;
  return p;
}

std::string SignatureOf(const Pairs& added) {
  std::string auth = HeaderValue(added, "authorization");
  size_t at = auth.find("Signature=");
  return at == std::string::npos ? std::string() : auth.substr(at + 10);
}

TEST(SigV4S3, PresignedGetObjectExample) {
  Request r{"GET", "/test.txt", {}, {{"Host", kHost}}, "UNSIGNED-PAYLOAD"};
  const SignParams p = S3Params();
  EXPECT_EQ(PresignQuery(r, kS3Creds, p, std::chrono::seconds(86400)),
            "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");

  r.query = {{"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
             {"X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"},
             {"X-Amz-Date", "20130524T000000Z"},
             {"X-Amz-Expires", "86400"},
             {"X-Amz-SignedHeaders", "host"}};
  const std::string canonical = CanonicalRequest(r, p);
  EXPECT_EQ(canonical,
            "GET\n/test.txt\n"
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
            "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\n"
            "host:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD");
  EXPECT_EQ(StringToSign(canonical, p),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04");
}

TEST(SigV4S3, GetObjectWithRangeExample) {
  const Request r{"GET", "/test.txt", {}, {{"Host", kHost}, {"Range", "bytes=0-9"}}, kEmptySha};
  const SignParams p = S3Params();
  const Pairs added = SignHeaders(r, kS3Creds, p);
  ASSERT_EQ(added.size(), 3u);
  EXPECT_EQ(added[0], (std::pair<std::string, std::string>{"X-Amz-Date", "20130524T000000Z"}));
  EXPECT_EQ(added[1], (std::pair<std::string, std::string>{"X-Amz-Content-Sha256", kEmptySha}));
  EXPECT_EQ(added[2].first, "Authorization");
  EXPECT_EQ(added[2].second,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");

  Request signed_req = r;
  signed_req.headers.insert(signed_req.headers.end(), added.begin(), added.end() - 1);
  const std::string canonical = CanonicalRequest(signed_req, p);
  EXPECT_EQ(canonical,
            "GET\n/test.txt\n\n"
            "host:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:" + kEmptySha + "\nx-amz-date:20130524T000000Z\n\n"
            "host;range;x-amz-content-sha256;x-amz-date\n" + kEmptySha);
  EXPECT_EQ(StringToSign(canonical, p),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
}

// The key holds '$', which S3 expects encoded exactly once.
TEST(SigV4S3, PutObjectExample) {
  const Request r{"PUT",
                  "/test$file.text",
                  {},
                  {{"Host", kHost},
                   {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                   {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                  Sha256Hex("Welcome to Amazon S3.")};
  const Pairs added = SignHeaders(r, kS3Creds, S3Params());
  EXPECT_NE(HeaderValue(added, "authorization")
                .find("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"),
            std::string::npos);
  EXPECT_EQ(SignatureOf(added), "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
  Request signed_req = r;
  signed_req.headers.insert(signed_req.headers.end(), added.begin(), added.end() - 1);
  EXPECT_EQ(Sha256Hex(CanonicalRequest(signed_req, S3Params())),
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
}

// A sub-resource with no value is signed as "lifecycle=".
TEST(SigV4S3, GetBucketLifecycleExample) {
  const Request r{"GET", "/", {{"lifecycle", ""}}, {{"Host", kHost}}, kEmptySha};
  EXPECT_EQ(SignatureOf(SignHeaders(r, kS3Creds, S3Params())),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

// Given in the opposite of canonical order, so the sort is exercised.
TEST(SigV4S3, ListObjectsExample) {
  const Request r{"GET", "/", {{"prefix", "J"}, {"max-keys", "2"}}, {{"Host", kHost}}, kEmptySha};
  EXPECT_EQ(SignatureOf(SignHeaders(r, kS3Creds, S3Params())),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4S3, EncodePath) {
  EXPECT_EQ(EncodePath("/a b/\xC3\xA7"), "/a%20b/%C3%A7");
  EXPECT_EQ(EncodePath("/bucket/my file.txt"), "/bucket/my%20file.txt");
  EXPECT_EQ(EncodePath("/a+b"), "/a%2Bb");
  EXPECT_EQ(EncodePath("/~user/-._"), "/~user/-._");
  EXPECT_EQ(EncodePath("//a//b/"), "//a//b/");
  EXPECT_EQ(EncodePath("/100%/x?y=z#f"), "/100%25/x%3Fy%3Dz%23f");
  EXPECT_EQ(EncodePath("/\xE1\x88\xB4"), "/%E1%88%B4");
  EXPECT_EQ(EncodePath(""), "/");
  EXPECT_EQ(EncodePath("/"), "/");
}

TEST(SigV4S3, S3KeepsDotSegmentsAndEncodesOnce) {
  Request r{"GET", "/bucket/./a/../b%20c//", {}, {{"Host", kHost}}, kEmptySha};
  const std::string canonical = CanonicalRequest(r, S3Params());
  EXPECT_EQ(canonical.substr(0, canonical.find('\n', 4)), "GET\n/bucket/./a/../b%2520c//");
}

TEST(SigV4S3, NormalizedPathDropsTrailingDotDotWithoutAddingSlash) {
  SignParams p = S3Params();
  p.normalize_path = true;
  auto path_line = [&](const std::string& path) {
    std::string c = CanonicalRequest(Request{"GET", path, {}, {{"Host", kHost}}, kEmptySha}, p);
    size_t a = c.find('\n') + 1;
    return c.substr(a, c.find('\n', a) - a);
  };
  EXPECT_EQ(path_line("/a/b/.."), "/a");
  EXPECT_EQ(path_line("/a/b/../"), "/a/");
  EXPECT_EQ(path_line("/../.."), "/");
  EXPECT_EQ(path_line(""), "/");
  EXPECT_EQ(path_line("/a b//./c"), "/a%20b/c");
}

TEST(SigV4S3, CanonicalQueryAndHeaders) {
  const Request r{"GET",
                  "/",
                  {{"b", "x y"}, {"a", "2"}, {"a", "1"}, {"c", "+=&/"}, {"\xC3\xA7", ""}},
                  {{"Host", kHost},
                   {"X-Multi", "  one  \t two "},
                   {"x-multi", "three"},
                   {"X-Folded", "first\r\n   second"},
                   {"X-Empty", ""}},
                  kEmptySha};
  EXPECT_EQ(CanonicalRequest(r, S3Params()),
            "GET\n/\n"
            "%C3%A7=&a=1&a=2&b=x%20y&c=%2B%3D%26%2F\n"
            "host:examplebucket.s3.amazonaws.com\nx-empty:\nx-folded:first second\nx-multi:one two,three\n\n"
            "host;x-empty;x-folded;x-multi\n" + kEmptySha);
}

TEST(SigV4S3, SessionTokenIsSignedInHeadersAndQuery) {
  const Credentials creds{kS3Creds.access_key, kS3Creds.secret_key, "tok/en+=="};
  const Request r{"GET", "/test.txt", {}, {{"Host", kHost}}, "UNSIGNED-PAYLOAD"};
  const Pairs added = SignHeaders(r, creds, S3Params());
  ASSERT_EQ(added.size(), 4u);
  EXPECT_EQ(added[2], (std::pair<std::string, std::string>{"X-Amz-Security-Token", "tok/en+=="}));
  EXPECT_NE(added[3].second.find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
            std::string::npos);

  const std::string q = PresignQuery(r, creds, S3Params(), std::chrono::seconds(60));
  EXPECT_NE(q.find("&X-Amz-SignedHeaders=host&X-Amz-Security-Token=tok%2Fen%2B%3D%3D&X-Amz-Signature="),
            std::string::npos)
      << q;
}

TEST(SigV4S3, SignatureTimeIsTruncatedToTheSecond) {
  SignParams p = S3Params();
  const std::string base = StringToSign("x", p);
  p.now += 999999;
  EXPECT_EQ(StringToSign("x", p), base);
}

TEST(SigV4S3, RejectsWhatWouldNeverVerify) {
  const SignParams p = S3Params();
  Request r{"GET", "/k", {}, {{"Host", kHost}, {"X-Amz-Date", "20130524T000000Z"}}, kEmptySha};
  EXPECT_THROW(SignHeaders(r, kS3Creds, p), std::invalid_argument);
  r.headers = {{"Host", kHost}, {"authorization", "x"}};
  EXPECT_THROW(SignHeaders(r, kS3Creds, p), std::invalid_argument);
  r.headers = {{"Host", kHost}, {"x-amz-content-sha256", kEmptySha}};
  EXPECT_THROW(SignHeaders(r, kS3Creds, p), std::invalid_argument);
  r.headers = {{"Host", kHost}};
  r.payload_sha256.clear();
  EXPECT_THROW(SignHeaders(r, kS3Creds, p), std::invalid_argument);

  r.payload_sha256 = "UNSIGNED-PAYLOAD";
  EXPECT_THROW(PresignQuery(r, kS3Creds, p, std::chrono::seconds(0)), std::invalid_argument);
  EXPECT_THROW(PresignQuery(r, kS3Creds, p, std::chrono::seconds(604801)), std::invalid_argument);
  EXPECT_NO_THROW(PresignQuery(r, kS3Creds, p, std::chrono::seconds(604800)));
  r.query = {{"X-Amz-Signature", "x"}};
  EXPECT_THROW(PresignQuery(r, kS3Creds, p, std::chrono::seconds(60)), std::invalid_argument);
  r.query.clear();
  r.headers.clear();
  EXPECT_THROW(PresignQuery(r, kS3Creds, p, std::chrono::seconds(60)), std::invalid_argument);
}

}  // namespace
}  // namespace arca::s3
