#include "adapters/s3/s3_client.hpp"

#include <pugixml.hpp>
#include <random>
#include <thread>

#include "core/crc32c.hpp"
#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "core/time.hpp"

namespace arca::s3 {
namespace {

constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string QueryString(const std::vector<std::pair<std::string, std::string>>& query) {
  std::string out;
  for (auto& [k, v] : query) {
    if (!out.empty()) out += "&";
    out += PercentEncode(k) + "=" + PercentEncode(v);
  }
  return out;
}

// "<Error><Code>NoSuchKey</Code><Message>…</Message></Error>" -> "NoSuchKey: …"
std::string S3ErrorText(const HttpResponse& r) {
  pugi::xml_document doc;
  if (doc.load_buffer(r.body.data(), r.body.size())) {
    auto err = doc.child("Error");
    if (err) return std::string(err.child_value("Code")) + ": " + err.child_value("Message");
  }
  return "HTTP " + std::to_string(r.status);
}

bool Retryable(const HttpResponse& r) {
  return r.status >= 500 || r.status == 429 || S3ErrorText(r).starts_with("SlowDown");
}

Status FromResponse(const HttpResponse& r, const std::string& what) {
  std::string text = what + ": " + S3ErrorText(r);
  if (r.status == 404) return NotFound("object_not_found", text);
  // 412: an `If-None-Match: *` write found the key taken. 409: the key
  // clashes with another (a file-system backed server cannot hold "a" and
  // "a/b" at once).
  if (r.status == 412) return Conflict("object_exists", text);
  if (r.status == 409 && !Retryable(r)) return Conflict("key_conflict", text);
  if (Retryable(r)) return Unavailable("storage_unavailable", text);
  if (r.status == 403) return Internal("storage_denied", text);
  return Internal("storage_error", text);
}

// CompleteMultipartUpload and CopyObject may answer 200 and still fail,
// with an <Error> document as the body.
Status ErrorInOkBody(const HttpResponse& r, const std::string& what) {
  if (r.body.find("<Error>") == std::string::npos) return Status::Ok();
  return FromResponse(HttpResponse{500, {}, r.body}, what);
}

std::string Unquote(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag;
}

HeaderList MetaHeaders(const ObjectMeta& meta) {
  HeaderList h;
  for (auto& [k, v] : meta) h.emplace_back("x-amz-meta-" + k, v);
  return h;
}

}  // namespace

Result<S3Config> ParseStorageUrl(const std::string& url, const std::string& access_key, const std::string& secret_key) {
  auto bad = [](const std::string& why) { return InvalidArgument("invalid_setting", "setting storage_url: " + why); };
  if (!url.starts_with("s3://")) return bad("expected s3://BUCKET?endpoint=…");
  std::string rest = url.substr(5);
  size_t q = rest.find('?');
  S3Config cfg;
  cfg.bucket = rest.substr(0, q);
  if (cfg.bucket.empty()) return bad("no bucket name");
  std::map<std::string, std::string> params;
  if (q != std::string::npos) {
    std::string query = rest.substr(q + 1);
    size_t start = 0;
    while (start < query.size()) {
      size_t amp = query.find('&', start);
      if (amp == std::string::npos) amp = query.size();
      std::string pair = query.substr(start, amp - start);
      size_t eq = pair.find('=');
      std::string k = pair.substr(0, eq), v = eq == std::string::npos ? "" : pair.substr(eq + 1);
      params[k] = PercentDecode(v).value_or(v);
      start = amp + 1;
    }
  }
  for (auto& [k, v] : params)
    if (k != "endpoint" && k != "region" && k != "addressing" && k != "verify_tls") return bad("unknown parameter " + k);
  std::string endpoint = params.count("endpoint") ? params["endpoint"] : "https://s3.amazonaws.com";
  if (endpoint.starts_with("https://")) {
    cfg.endpoint.tls = true;
    endpoint = endpoint.substr(8);
  } else if (endpoint.starts_with("http://")) {
    endpoint = endpoint.substr(7);
  } else {
    return bad("endpoint must start with http:// or https://");
  }
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  size_t colon = endpoint.rfind(':');
  cfg.endpoint.port = cfg.endpoint.tls ? 443 : 80;
  cfg.endpoint.host = endpoint;
  if (colon != std::string::npos && endpoint.find(']') == std::string::npos) {
    cfg.endpoint.host = endpoint.substr(0, colon);
    try {
      int port = std::stoi(endpoint.substr(colon + 1));
      if (port <= 0 || port > 65535) return bad("endpoint port out of range");
      cfg.endpoint.port = static_cast<unsigned short>(port);
    } catch (...) {
      return bad("endpoint port is not a number");
    }
  }
  if (cfg.endpoint.host.empty()) return bad("endpoint has no host");
  if (params.count("region")) cfg.region = params["region"];
  if (params.count("addressing")) {
    if (params["addressing"] != "path" && params["addressing"] != "virtual") return bad("addressing is path or virtual");
    cfg.path_style = params["addressing"] == "path";
  }
  if (params.count("verify_tls")) cfg.verify_tls = params["verify_tls"] != "false";
  if (access_key.empty() || secret_key.empty())
    return InvalidArgument("invalid_setting", "setting s3_access_key/s3_secret_key: both are required for s3:// storage");
  cfg.credentials = Credentials{access_key, secret_key, ""};
  return cfg;
}

S3Client::S3Client(S3Config cfg) : cfg_(std::move(cfg)), http_(HostFor(), cfg_.timeout, cfg_.verify_tls) {}

Endpoint S3Client::HostFor() const {
  Endpoint ep = cfg_.endpoint;
  if (!cfg_.path_style) ep.host = cfg_.bucket + "." + ep.host;
  return ep;
}

std::string S3Client::PathFor(const std::string& key) const {
  std::string path = cfg_.path_style ? "/" + cfg_.bucket : "";
  if (!key.empty()) path += "/" + key;
  if (path.empty()) path = "/";
  return path;
}

std::pair<std::string, HeaderList> S3Client::Signed(const Call& call, const std::string& payload_hash) const {
  const std::string path = PathFor(call.key);
  std::string target = EncodePath(path);
  const std::string query = QueryString(call.query);
  if (!query.empty()) target += "?" + query;
  Request req{call.method, path, call.query, call.headers, payload_hash};
  req.headers.emplace_back("host", http_.endpoint().HostHeader());
  SignParams sp;
  sp.region = cfg_.region;
  sp.now = NowMicros();
  sp.sign_body = true;
  HeaderList headers = call.headers;
  for (auto& h : SignHeaders(req, cfg_.credentials, sp)) headers.push_back(h);
  return {std::move(target), std::move(headers)};
}

Result<HttpResponse> S3Client::Send(const Call& call) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  // Part bodies are not hashed a second time: TLS (or the loopback) protects
  // them in transit, and Arca keeps its own SHA-256 of every file.
  const std::string payload_hash = call.body.empty() ? std::string(kEmptySha256) : "UNSIGNED-PAYLOAD";
  Status last = Unavailable("storage_unreachable", "no attempt made");
  for (int attempt = 0; attempt < cfg_.max_attempts; ++attempt) {
    if (attempt > 0) {
      // Full jitter: spread retries of many uploads instead of syncing them.
      int cap = std::min(100 << attempt, 5000);
      std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(cap / 2, cap)(rng)));
    }
    auto [target, headers] = Signed(call, payload_hash);  // signed anew: the date moves on
    auto res = http_.Send(HttpRequest{call.method, target, headers, call.body}, call.max_body);
    if (!res.ok()) {
      last = res.status();
      continue;  // dropped connection or timeout: try again
    }
    if (res->status >= 200 && res->status < 300) return res;
    Status st = FromResponse(*res, call.method + " " + PathFor(call.key));
    if (!st.retryable()) return st;
    last = st;
  }
  return last;
}

namespace {

// aws-chunked framing of a body of known size in frames of `chunk` bytes,
// ending with the zero frame and a CRC-32C trailer. The SHA-256 the record
// keeps is computed here too, as the bytes pass. The caller's bytes go out
// as they come, with the frames' size lines and line ends gathered in
// front of them: nothing is staged, so the upload holds no frame buffer.
class ChunkedPut : public S3StreamingPut {
 public:
  ChunkedPut(std::unique_ptr<HttpExchange> x, std::string what, std::uint64_t size, size_t chunk)
      : x_(std::move(x)), what_(std::move(what)), size_(size), chunk_(chunk) {}

  static std::uint64_t EncodedLength(std::uint64_t size, size_t chunk) {
    auto frame = [](std::uint64_t n) { return Hex(n).size() + 2 + n + 2; };
    std::uint64_t len = (size / chunk) * frame(chunk);
    if (size % chunk) len += frame(size % chunk);
    return len + 3 /* "0\r\n" */ + TrailerLine(Crc32c()).size() + 2 /* the blank line */;
  }

  Status Write(std::string_view bytes) override {
    if (!x_) return Internal("storage_closed", "write to a closed object");
    if (written_ + bytes.size() > size_) return Fail(InvalidArgument("size_mismatch", "more bytes than the declared length"));
    written_ += bytes.size();
    hash_.Update(bytes);
    crc_.Update(bytes);
    while (!bytes.empty()) {
      if (frame_left_ == 0) {  // a frame starts: its size line goes out with its first bytes
        frame_left_ = std::min<std::uint64_t>(chunk_, size_ - framed_);
        framed_ += frame_left_;
        framing_ += Hex(frame_left_);
        framing_ += "\r\n";
      }
      const auto take = static_cast<size_t>(std::min<std::uint64_t>(bytes.size(), frame_left_));
      ARCA_RETURN_IF_ERROR(Send(framing_, bytes.substr(0, take)));
      framing_.clear();
      frame_left_ -= take;
      bytes.remove_prefix(take);
      if (frame_left_ == 0) framing_ = "\r\n";  // the frame's end, sent with what follows
    }
    return Status::Ok();
  }

  Result<std::string> Finish() override {
    if (!x_) return Internal("storage_closed", "finish of a closed object");
    if (written_ != size_) return Fail(InvalidArgument("size_mismatch", "fewer bytes than the declared length"));
    ARCA_RETURN_IF_ERROR(Send(framing_, "0\r\n" + TrailerLine(crc_) + "\r\n"));
    auto res = x_->Finish(1 << 20);
    x_.reset();
    if (!res.ok()) return res.status();
    if (res->status < 200 || res->status >= 300) return FromResponse(*res, what_);
    return hash_.FinishHex();
  }

 private:
  static std::string Hex(std::uint64_t n) {
    char b[24];
    return std::string(b, static_cast<size_t>(std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(n))));
  }
  // "x-amz-checksum-crc32c:<base64 of the 4 bytes>\r\n"; always the same length.
  static std::string TrailerLine(const Crc32c& crc) {
    return "x-amz-checksum-crc32c:" + Base64Encode(crc.BigEndian()) + "\r\n";
  }
  Status Send(std::string_view framing, std::string_view bytes) {
    Status st = x_->Write(framing, bytes);
    if (!st.ok()) {
      // The store may have answered before reading the body (a taken key
      // under If-None-Match, a denied request) and closed: that answer is
      // the real error. The connection is gone, so this read returns at once.
      auto early = x_->Finish(1 << 20);
      if (early.ok() && (early->status < 200 || early->status >= 300)) st = FromResponse(*early, what_);
    }
    return Check(st);
  }
  Status Check(Status st) { return st.ok() ? st : Fail(std::move(st)); }
  // Drops the connection: the store sees a body that never ended.
  Status Fail(Status st) {
    x_.reset();
    return st;
  }

  std::unique_ptr<HttpExchange> x_;
  std::string what_;
  std::uint64_t size_;
  size_t chunk_;
  std::uint64_t written_ = 0;
  std::uint64_t framed_ = 0;      // bytes of the body whose frame has begun
  std::uint64_t frame_left_ = 0;  // bytes the current frame still needs
  std::string framing_;           // size line and line ends not yet sent
  Sha256 hash_;
  Crc32c crc_;
};

}  // namespace

Result<std::unique_ptr<S3StreamingPut>> S3Client::BeginStreamingPut(const std::string& key, const ObjectMeta& meta,
                                                                    std::uint64_t size, bool if_absent,
                                                                    size_t chunk_bytes) {
  if (size > (5ULL << 30)) return InvalidArgument("too_large_for_put", "a single PutObject takes at most 5 GiB");
  Call c{"PUT", key, {}, MetaHeaders(meta), {}};
  if (if_absent) c.headers.emplace_back("If-None-Match", "*");
  c.headers.emplace_back("Content-Encoding", "aws-chunked");
  c.headers.emplace_back("x-amz-decoded-content-length", std::to_string(size));
  c.headers.emplace_back("x-amz-trailer", "x-amz-checksum-crc32c");
  c.headers.emplace_back("Content-Length", std::to_string(ChunkedPut::EncodedLength(size, chunk_bytes)));
  auto [target, headers] = Signed(c, "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  auto x = http_.Open(HttpRequest{"PUT", target, headers, {}});
  if (!x.ok()) return x.status();
  return std::unique_ptr<S3StreamingPut>(
      new ChunkedPut(std::move(x).value(), "PUT " + PathFor(key), size, chunk_bytes));
}

Status S3Client::HeadBucket() {
  auto r = Send({"HEAD", "", {}, {}, {}});
  return r.ok() ? Status::Ok() : r.status();
}

Status S3Client::CreateBucket() {
  std::string body;
  if (cfg_.region != "us-east-1")
    body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" +
           cfg_.region + "</LocationConstraint></CreateBucketConfiguration>";
  auto r = Send({"PUT", "", {}, {}, body});
  if (!r.ok() && r.status().message().find("BucketAlreadyOwnedByYou") != std::string::npos) return Status::Ok();
  return r.ok() ? Status::Ok() : r.status();
}

Status S3Client::PutObject(const std::string& key, std::string_view body, const ObjectMeta& meta, bool if_absent) {
  HeaderList headers = MetaHeaders(meta);
  if (if_absent) headers.emplace_back("If-None-Match", "*");
  auto r = Send({"PUT", key, {}, headers, body});
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::string> S3Client::CreateMultipartUpload(const std::string& key, const ObjectMeta& meta) {
  auto r = Send({"POST", key, {{"uploads", ""}}, MetaHeaders(meta), {}});
  if (!r.ok()) return r.status();
  pugi::xml_document doc;
  doc.load_buffer(r->body.data(), r->body.size());
  std::string id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
  if (id.empty()) return Internal("storage_error", "CreateMultipartUpload answered without an UploadId");
  return id;
}

Result<std::string> S3Client::UploadPart(const std::string& key, const std::string& upload_id, int part,
                                         std::string_view body) {
  auto r = Send({"PUT", key, {{"partNumber", std::to_string(part)}, {"uploadId", upload_id}}, {}, body});
  if (!r.ok()) return r.status();
  std::string etag = r->Header("ETag");
  if (etag.empty()) return Internal("storage_error", "UploadPart answered without an ETag");
  return etag;
}

Status S3Client::CompleteMultipartUpload(const std::string& key, const std::string& upload_id,
                                         const std::vector<std::string>& etags, bool if_absent) {
  std::string body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (size_t i = 0; i < etags.size(); ++i)
    body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + etags[i] + "</ETag></Part>";
  body += "</CompleteMultipartUpload>";
  HeaderList headers{{"Content-Type", "application/xml"}};
  if (if_absent) headers.emplace_back("If-None-Match", "*");
  auto r = Send({"POST", key, {{"uploadId", upload_id}}, headers, body});
  if (!r.ok()) return r.status();
  return ErrorInOkBody(*r, "complete " + key);
}

Status S3Client::AbortMultipartUpload(const std::string& key, const std::string& upload_id) {
  auto r = Send({"DELETE", key, {{"uploadId", upload_id}}, {}, {}});
  if (!r.ok() && r.status().kind() != ErrorKind::kNotFound) return r.status();
  return Status::Ok();
}

Result<ObjectInfo> S3Client::HeadObject(const std::string& key) {
  auto r = Send({"HEAD", key, {}, {}, {}});
  if (!r.ok()) return r.status();
  ObjectInfo info;
  info.key = key;
  info.size = std::stoll(r->Header("Content-Length").empty() ? "0" : r->Header("Content-Length"));
  info.etag = Unquote(r->Header("ETag"));
  for (auto& [k, v] : r->headers) {
    std::string lower = k;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.starts_with("x-amz-meta-")) info.meta[lower.substr(11)] = v;
  }
  return info;
}

Result<std::string> S3Client::GetObjectRange(const std::string& key, std::int64_t first, std::int64_t length) {
  if (length == 0) return std::string();
  Call c{"GET", key, {}, {{"Range", "bytes=" + std::to_string(first) + "-" + std::to_string(first + length - 1)}}, {}};
  c.max_body = static_cast<size_t>(length) + 1024;
  auto r = Send(c);
  if (!r.ok()) return r.status();
  return std::move(r->body);
}

Status S3Client::DeleteObject(const std::string& key) {
  auto r = Send({"DELETE", key, {}, {}, {}});
  if (!r.ok() && r.status().kind() != ErrorKind::kNotFound) return r.status();
  return Status::Ok();
}

Status S3Client::CopyObject(const std::string& from_key, const std::string& to_key, std::int64_t multipart_from,
                            std::int64_t part_bytes) {
  auto head = HeadObject(from_key);
  if (!head.ok()) return head.status();
  if (head->size <= multipart_from) {
    auto r = Send({"PUT", to_key, {}, {{"x-amz-copy-source", CopySource(from_key)}}, {}});
    if (!r.ok()) return r.status();
    return ErrorInOkBody(*r, "copy " + from_key);
  }
  return CopyByParts(from_key, head->size, to_key, head->meta, part_bytes, false);
}

Status S3Client::CopyObjectIfAbsent(const std::string& from_key, const std::string& to_key, const ObjectMeta& meta,
                                    std::int64_t part_bytes) {
  auto head = HeadObject(from_key);
  if (!head.ok()) return head.status();
  // CopyObject's own conditions are about the source; only a multipart
  // upload's completion can be made conditional on the destination.
  if (head->size == 0) return PutObject(to_key, "", meta, true);
  return CopyByParts(from_key, head->size, to_key, meta, part_bytes, true);
}

std::string S3Client::CopySource(const std::string& key) const { return EncodePath("/" + cfg_.bucket + "/" + key); }

Status S3Client::CopyByParts(const std::string& from_key, std::int64_t size, const std::string& to_key,
                             const ObjectMeta& meta, std::int64_t part_bytes, bool if_absent) {
  const std::string source = CopySource(from_key);
  auto upload = CreateMultipartUpload(to_key, meta);
  if (!upload.ok()) return upload.status();
  std::vector<std::string> etags;
  for (std::int64_t first = 0; first < size; first += part_bytes) {
    const std::int64_t last = std::min(first + part_bytes, size) - 1;
    auto r = Send({"PUT",
                   to_key,
                   {{"partNumber", std::to_string(etags.size() + 1)}, {"uploadId", *upload}},
                   {{"x-amz-copy-source", source},
                    {"x-amz-copy-source-range", "bytes=" + std::to_string(first) + "-" + std::to_string(last)}},
                   {}});
    std::string etag;
    if (r.ok()) {
      pugi::xml_document doc;
      doc.load_buffer(r->body.data(), r->body.size());
      etag = doc.child("CopyPartResult").child_value("ETag");
    }
    if (etag.empty()) {
      (void)AbortMultipartUpload(to_key, *upload);
      return r.ok() ? Internal("storage_error", "UploadPartCopy answered without an ETag") : r.status();
    }
    etags.push_back(etag);
  }
  Status st = CompleteMultipartUpload(to_key, *upload, etags, if_absent);
  if (!st.ok()) (void)AbortMultipartUpload(to_key, *upload);
  return st;
}

Result<std::vector<MultipartUpload>> S3Client::ListMultipartUploads(const std::string& prefix) {
  std::vector<MultipartUpload> out;
  std::optional<std::pair<std::string, std::string>> marker;  // key, upload id
  for (;;) {
    Call c{"GET", "", {{"uploads", ""}, {"prefix", prefix}}, {}, {}};
    if (marker) {
      c.query.emplace_back("key-marker", marker->first);
      c.query.emplace_back("upload-id-marker", marker->second);
    }
    c.max_body = 16 << 20;
    auto r = Send(c);
    if (!r.ok()) return r.status();
    pugi::xml_document doc;
    if (!doc.load_buffer(r->body.data(), r->body.size())) return Internal("storage_error", "unreadable upload list");
    auto root = doc.child("ListMultipartUploadsResult");
    for (auto u : root.children("Upload"))
      out.push_back({u.child_value("Key"), u.child_value("UploadId"), ParseRfc3339(u.child_value("Initiated")).value_or(0)});
    if (std::string(root.child_value("IsTruncated")) != "true") return out;
    marker = {root.child_value("NextKeyMarker"), root.child_value("NextUploadIdMarker")};
    if (marker->first.empty() && marker->second.empty()) return out;  // a server that pages without markers
  }
}

Result<int> S3Client::CountMultipartUploads(const std::string& prefix) {
  auto uploads = ListMultipartUploads(prefix);
  if (!uploads.ok()) return uploads.status();
  return static_cast<int>(uploads->size());
}

Result<ListPage> S3Client::ListObjects(const std::string& prefix, const std::optional<std::string>& token,
                                       int max_keys) {
  Call c{"GET", "", {{"list-type", "2"}, {"prefix", prefix}, {"max-keys", std::to_string(max_keys)}}, {}, {}};
  if (token) c.query.emplace_back("continuation-token", *token);
  c.max_body = 16 << 20;
  auto r = Send(c);
  if (!r.ok()) return r.status();
  pugi::xml_document doc;
  if (!doc.load_buffer(r->body.data(), r->body.size())) return Internal("storage_error", "unreadable listing");
  auto root = doc.child("ListBucketResult");
  ListPage page;
  for (auto item : root.children("Contents"))
    page.objects.push_back({item.child_value("Key"), std::stoll(item.child_value("Size")), Unquote(item.child_value("ETag")),
                            ParseRfc3339(item.child_value("LastModified")).value_or(0)});
  if (std::string(root.child_value("IsTruncated")) == "true") page.next_token = root.child_value("NextContinuationToken");
  return page;
}

std::string S3Client::PresignGet(const std::string& key, std::vector<std::pair<std::string, std::string>> response,
                                 std::chrono::seconds ttl, Micros now) const {
  const Endpoint& ep = http_.endpoint();
  Request req{"GET", PathFor(key), std::move(response), {{"host", ep.HostHeader()}}, "UNSIGNED-PAYLOAD"};
  SignParams sp;
  sp.region = cfg_.region;
  sp.now = now;
  // One string, appended in place: this runs on every download.
  std::string url;
  url.reserve(1024);  // a link with a short name is ~650 bytes
  url += ep.tls ? "https://" : "http://";
  url += req.headers[0].second;
  AppendEncodedPath(url, req.path);
  url += '?';
  AppendPresignQuery(url, req, cfg_.credentials, sp, ttl);
  return url;
}

}  // namespace arca::s3
