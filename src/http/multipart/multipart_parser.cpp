#include "http/multipart/multipart_parser.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace arca::http {
namespace {

constexpr std::string_view kMalformed = "malformed_multipart";
constexpr size_t kMaxBoundaryLength = 70;  // RFC 2046 §5.1.1

Status Malformed(std::string message) { return InvalidArgument(std::string(kMalformed), std::move(message)); }

bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ToLowerAscii(x) == ToLowerAscii(y); });
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 2046 allows fewer characters (bchars), but real clients are not always
// that careful and a wider set costs nothing: the scanner relies only on the
// boundary holding no CR, so "\r" occurs once in the delimiter.
bool IsValidBoundary(std::string_view b) {
  if (b.empty() || b.size() > kMaxBoundaryLength || b.back() == ' ') return false;
  return std::all_of(b.begin(), b.end(), [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
}

bool IsTspecial(char c) { return std::string_view("()<>@,;:\\\"/[]?=").find(c) != std::string_view::npos; }

enum class Backslash {
  kEscapesAny,       // RFC 7230 quoted-pair
  kEscapesTspecial,  // see ParamReader
};

// Reads the "; key=value" parameters that follow a media type or a
// disposition type. Keys come out lowercased; values are unquoted.
class ParamReader {
 public:
  ParamReader(std::string_view s, size_t pos, Backslash backslash) : s_(s), i_(pos), backslash_(backslash) {}

  // False at the end of the list or on a syntax error (then error() is set).
  bool Next(std::string& key, std::string& value) {
    SkipOws();
    if (AtEnd()) return false;
    if (s_[i_] != ';') return Error("expected ';' between parameters");
    ++i_;
    SkipOws();
    // A trailing ';' is harmless and some clients send one.
    if (AtEnd()) return false;
    key.clear();
    while (!AtEnd() && s_[i_] != '=' && s_[i_] != ';' && !IsOws(s_[i_])) key.push_back(ToLowerAscii(s_[i_++]));
    if (key.empty()) return Error("parameter without a name");
    SkipOws();
    if (AtEnd() || s_[i_] != '=') return Error("parameter without a value");
    ++i_;
    SkipOws();
    value.clear();
    if (!AtEnd() && s_[i_] == '"') return ReadQuoted(value);
    // Unquoted values run to the next ';' so that clients which forget to
    // quote a filename with spaces in it still work.
    size_t end = std::min(s_.find(';', i_), s_.size());
    value = TrimOws(s_.substr(i_, end - i_));
    i_ = end;
    return true;
  }

  const char* error() const { return error_; }

 private:
  bool ReadQuoted(std::string& value) {
    ++i_;
    while (!AtEnd()) {
      char c = s_[i_++];
      if (c == '"') return true;
      // Browsers never escape inside filename="..." (they percent-encode '"'),
      // but old Windows clients send full paths such as "C:\docs\a.txt". A
      // backslash therefore escapes only a character that would need it,
      // which keeps those paths intact and still honours RFC escapes.
      if (c == '\\' && !AtEnd() && (backslash_ == Backslash::kEscapesAny || IsTspecial(s_[i_]))) c = s_[i_++];
      value.push_back(c);
    }
    return Error("unterminated quoted string");
  }

  bool Error(const char* what) {
    error_ = what;
    return false;
  }
  bool AtEnd() const { return i_ >= s_.size(); }
  void SkipOws() {
    while (!AtEnd() && IsOws(s_[i_])) ++i_;
  }

  std::string_view s_;
  size_t i_;
  Backslash backslash_;
  const char* error_ = nullptr;
};

// The leading media type or disposition type: up to ';' or whitespace.
std::string_view LeadingToken(std::string_view s, size_t& pos) {
  while (pos < s.size() && IsOws(s[pos])) ++pos;
  size_t start = pos;
  while (pos < s.size() && s[pos] != ';' && !IsOws(s[pos])) ++pos;
  return s.substr(start, pos - start);
}

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = HexValue(s[i + 1]);
    int lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string Latin1ToUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (unsigned char c : s) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xc0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
    }
  }
  return out;
}

// RFC 5987 ext-value: charset'language'percent-encoded. UTF-8 and ISO-8859-1
// are the two charsets RFC 5987 requires; anything else is undecodable.
std::optional<std::string> DecodeExtValue(std::string_view v) {
  size_t q1 = v.find('\'');
  if (q1 == std::string_view::npos) return std::nullopt;
  size_t q2 = v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return std::nullopt;
  std::string_view charset = v.substr(0, q1);
  std::optional<std::string> bytes = PercentDecode(v.substr(q2 + 1));
  if (!bytes) return std::nullopt;
  if (EqualsIgnoreCase(charset, "utf-8")) return bytes;
  if (EqualsIgnoreCase(charset, "iso-8859-1")) return Latin1ToUtf8(*bytes);
  return std::nullopt;
}

Status ParseContentDisposition(std::string_view value, PartHeaders& out) {
  size_t pos = 0;
  if (!EqualsIgnoreCase(LeadingToken(value, pos), "form-data")) {
    return Malformed("part Content-Disposition is not form-data");
  }
  std::optional<std::string> name, filename, filename_star;
  ParamReader params(value, pos, Backslash::kEscapesTspecial);
  std::string key, val;
  while (params.Next(key, val)) {
    std::optional<std::string>* slot = key == "name"        ? &name
                                       : key == "filename"  ? &filename
                                       : key == "filename*" ? &filename_star
                                                            : nullptr;
    if (slot == nullptr) continue;
    // Two different names for one part would make the form ambiguous.
    if (slot->has_value()) return Malformed("part Content-Disposition repeats the parameter " + key);
    *slot = std::move(val);
  }
  if (params.error() != nullptr) return Malformed(std::string("part Content-Disposition: ") + params.error());
  if (!name) return Malformed("part Content-Disposition has no name");
  out.name = std::move(*name);
  if (filename_star) {
    std::optional<std::string> decoded = DecodeExtValue(*filename_star);
    // An undecodable filename* is only fatal when there is nothing to fall
    // back on: RFC 6266 has senders add filename= for exactly this case.
    if (decoded) {
      out.filename = std::move(decoded);
    } else if (filename) {
      out.filename = std::move(filename);
    } else {
      return Malformed("part filename* is not a valid UTF-8 or ISO-8859-1 ext-value");
    }
  } else {
    out.filename = std::move(filename);
  }
  return Status::Ok();
}

struct HeaderFields {
  bool has_disposition = false;
  bool has_content_type = false;
};

Status ApplyHeaderField(std::string_view field, HeaderFields& seen, PartHeaders& out) {
  size_t colon = field.find(':');
  if (colon == std::string_view::npos) return Malformed("part header line has no ':'");
  std::string_view name = TrimOws(field.substr(0, colon));
  std::string_view value = TrimOws(field.substr(colon + 1));
  if (name.empty()) return Malformed("part header line has an empty name");
  if (EqualsIgnoreCase(name, "content-disposition")) {
    if (seen.has_disposition) return Malformed("part has two Content-Disposition headers");
    seen.has_disposition = true;
    return ParseContentDisposition(value, out);
  }
  if (EqualsIgnoreCase(name, "content-type")) {
    if (seen.has_content_type) return Malformed("part has two Content-Type headers");
    seen.has_content_type = true;
    out.content_type = std::string(value);
  }
  // Other headers (Content-Transfer-Encoding included, which RFC 7578
  // deprecates) carry nothing Arca acts on.
  return Status::Ok();
}

// `block` is the header lines of one part, each ending in CRLF, without the
// blank line.
Status ParseHeaderBlock(std::string_view block, PartHeaders& out) {
  HeaderFields seen;
  std::string field;
  bool have_field = false;
  while (!block.empty()) {
    size_t eol = block.find("\r\n");
    std::string_view line = block.substr(0, eol);
    block.remove_prefix(eol + 2);
    if (line.find_first_of(std::string_view("\r\0", 2)) != std::string_view::npos) {
      return Malformed("part header line contains a bare CR or a NUL byte");
    }
    // Obsolete line folding (RFC 5322): still cheap to honour.
    if (!line.empty() && IsOws(line.front())) {
      if (!have_field) return Malformed("part header block starts with a continuation line");
      field.push_back(' ');
      field.append(TrimOws(line));
      continue;
    }
    if (have_field) ARCA_RETURN_IF_ERROR(ApplyHeaderField(field, seen, out));
    field.assign(line);
    have_field = true;
  }
  if (have_field) ARCA_RETURN_IF_ERROR(ApplyHeaderField(field, seen, out));
  if (!seen.has_disposition) return Malformed("part has no Content-Disposition header");
  return Status::Ok();
}

}  // namespace

MultipartParser::MultipartParser(std::string boundary, MultipartHandler& handler)
    : delimiter_("\r\n--" + std::move(boundary)), handler_(handler) {
  if (!IsValidBoundary(std::string_view(delimiter_).substr(4))) {
    state_ = State::kFailed;
    status_ = Malformed("multipart boundary must be 1 to 70 printable ASCII characters");
  }
  // The first delimiter may open the body without a CRLF before it: act as if
  // the body began with one, so that one search handles every delimiter.
  matched_ = 2;
}

Status MultipartParser::Feed(std::string_view chunk) {
  if (state_ == State::kFailed) return status_;
  while (!chunk.empty() && state_ != State::kDone) {
    Status st = Step(chunk);
    if (!st.ok()) return Fail(std::move(st));
  }
  return Status::Ok();
}

Status MultipartParser::Finish() {
  switch (state_) {
    case State::kDone:
    case State::kFailed:
      return status_;
    case State::kPreamble:
      return Fail(Malformed("multipart body has no boundary line"));
    case State::kHeaders:
      return Fail(Malformed("multipart body ended inside the headers of a part"));
    case State::kPartData:
      return Fail(Malformed("multipart body ended inside a part, without the closing boundary"));
    default:
      return Fail(Malformed("multipart body ended inside a boundary line"));
  }
}

Status MultipartParser::Fail(Status st) {
  status_ = std::move(st);
  state_ = State::kFailed;
  return status_;
}

Status MultipartParser::Emit(std::string_view bytes, bool deliver) {
  if (!deliver || bytes.empty()) return Status::Ok();
  return handler_.OnPartData(bytes);
}

// Passes on (or drops) bytes up to the next delimiter and consumes it. Only
// a tail that is a proper prefix of the delimiter is held back, as a count.
Status MultipartParser::ScanForDelimiter(std::string_view& in, bool deliver) {
  const size_t dlen = delimiter_.size();
  if (matched_ > 0) {
    size_t n = std::min(dlen - matched_, in.size());
    if (std::memcmp(in.data(), delimiter_.data() + matched_, n) == 0) {
      matched_ += n;
      in.remove_prefix(n);
      if (matched_ == dlen) {
        matched_ = 0;
        state_ = State::kAfterDelimiter;
      }
      return Status::Ok();
    }
    // The held bytes were data after all. They hold the delimiter's only CR,
    // at their start, so no other match can begin inside them.
    size_t held = std::exchange(matched_, 0);
    ARCA_RETURN_IF_ERROR(Emit(std::string_view(delimiter_).substr(0, held), deliver));
  }
  const char* data = in.data();
  const size_t size = in.size();
  size_t pos = 0;
  // memchr is vectorised and CR is rare in most payloads, so this runs close
  // to memory bandwidth; candidates are then checked with one memcmp.
  while (pos < size) {
    const void* hit = std::memchr(data + pos, '\r', size - pos);
    if (hit == nullptr) break;
    size_t p = static_cast<size_t>(static_cast<const char*>(hit) - data);
    // Only the last CR of a run can start a delimiter; skipping the run here
    // keeps CR-heavy payloads from costing a memchr call per byte.
    while (p + 1 < size && data[p + 1] == '\r') ++p;
    size_t rest = size - p;
    if (rest >= dlen) {
      // The inline checks reject CRLF line ends in text cheaply; dlen >= 5.
      if (data[p + 1] == '\n' && data[p + 2] == '-' && data[p + 3] == '-' &&
          std::memcmp(data + p, delimiter_.data(), dlen) == 0) {
        ARCA_RETURN_IF_ERROR(Emit(in.substr(0, p), deliver));
        in.remove_prefix(p + dlen);
        state_ = State::kAfterDelimiter;
        return Status::Ok();
      }
    } else if (std::memcmp(data + p, delimiter_.data(), rest) == 0) {
      ARCA_RETURN_IF_ERROR(Emit(in.substr(0, p), deliver));
      matched_ = rest;
      in = {};
      return Status::Ok();
    }
    pos = p + 1;
  }
  ARCA_RETURN_IF_ERROR(Emit(in, deliver));
  in = {};
  return Status::Ok();
}

Status MultipartParser::OnDelimiterLineEnd() {
  if (in_part_) {
    in_part_ = false;
    ARCA_RETURN_IF_ERROR(handler_.OnPartEnd());
  }
  if (++parts_ > kMaxParts) return Malformed("multipart body has more than 1000 parts");
  header_block_.clear();
  line_start_ = 0;
  state_ = State::kHeaders;
  return Status::Ok();
}

Status MultipartParser::ConsumeHeaders(std::string_view& in) {
  const void* nl = std::memchr(in.data(), '\n', in.size());
  size_t take = nl == nullptr ? in.size() : static_cast<size_t>(static_cast<const char*>(nl) - in.data()) + 1;
  if (header_block_.size() + take > kMaxHeaderBytes) return Malformed("part header block is larger than 16 KiB");
  header_block_.append(in.data(), take);
  in.remove_prefix(take);
  if (nl == nullptr) return Status::Ok();
  std::string_view line = std::string_view(header_block_).substr(line_start_);
  if (line.size() < 2 || line[line.size() - 2] != '\r') return Malformed("part header line does not end in CRLF");
  if (line.size() > 2) {
    line_start_ = header_block_.size();
    return Status::Ok();
  }
  PartHeaders headers;
  ARCA_RETURN_IF_ERROR(ParseHeaderBlock(std::string_view(header_block_).substr(0, line_start_), headers));
  header_block_.clear();
  in_part_ = true;
  state_ = State::kPartData;
  return handler_.OnPartBegin(headers);
}

Status MultipartParser::Step(std::string_view& in) {
  switch (state_) {
    case State::kPreamble:
      return ScanForDelimiter(in, /*deliver=*/false);
    case State::kPartData:
      return ScanForDelimiter(in, /*deliver=*/true);
    case State::kHeaders:
      return ConsumeHeaders(in);
    case State::kAfterDelimiter: {
      char c = in.front();
      in.remove_prefix(1);
      if (c == '-') {
        state_ = State::kCloseDash;
      } else if (IsOws(c)) {
        state_ = State::kPadding;
      } else if (c == '\r') {
        state_ = State::kLineFeed;
      } else {
        return Malformed("boundary is followed by something other than CRLF or \"--\"");
      }
      return Status::Ok();
    }
    case State::kCloseDash: {
      char c = in.front();
      in.remove_prefix(1);
      if (c != '-') return Malformed("boundary is followed by a single '-'");
      state_ = State::kDone;
      if (in_part_) {
        in_part_ = false;
        return handler_.OnPartEnd();
      }
      return Status::Ok();
    }
    case State::kPadding: {
      while (!in.empty() && IsOws(in.front())) in.remove_prefix(1);
      if (in.empty()) return Status::Ok();
      char c = in.front();
      in.remove_prefix(1);
      if (c != '\r') return Malformed("boundary line has bytes other than spaces or tabs after the boundary");
      state_ = State::kLineFeed;
      return Status::Ok();
    }
    case State::kLineFeed: {
      char c = in.front();
      in.remove_prefix(1);
      if (c != '\n') return Malformed("boundary line does not end in CRLF");
      return OnDelimiterLineEnd();
    }
    case State::kDone:
    case State::kFailed:
      in = {};
      return status_;
  }
  return status_;
}

std::optional<std::string> MultipartParser::BoundaryFromContentType(std::string_view content_type) {
  size_t pos = 0;
  if (!EqualsIgnoreCase(LeadingToken(content_type, pos), "multipart/form-data")) return std::nullopt;
  std::optional<std::string> boundary;
  ParamReader params(content_type, pos, Backslash::kEscapesAny);
  std::string key, value;
  while (params.Next(key, value)) {
    if (key != "boundary") continue;
    if (boundary) return std::nullopt;  // two boundaries: no way to know which one the body uses
    boundary = std::move(value);
  }
  if (params.error() != nullptr || !boundary || !IsValidBoundary(*boundary)) return std::nullopt;
  return boundary;
}

}  // namespace arca::http
