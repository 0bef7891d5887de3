#include "adapters/s3/http_client.hpp"

#include <strings.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace arca::s3 {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

Status Unreachable(const std::string& what, const beast::error_code& ec) {
  return Unavailable("storage_unreachable", what + ": " + ec.message());
}

// Blocking steps with deadlines: each async operation runs on the
// exchange's private event loop until it completes or its timer fires
// (beast::tcp_stream cancels the operation when the deadline passes).
class Loop {
 public:
  template <typename Start>
  beast::error_code Run(beast::tcp_stream& timer, std::chrono::seconds timeout, Start start) {
    beast::error_code result = asio::error::operation_aborted;
    timer.expires_after(timeout);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }
  asio::io_context& ioc() { return ioc_; }

 private:
  asio::io_context ioc_;
};

// An exchange over a connected stream (plain TCP or TLS over TCP).
template <typename Stream>
class StreamExchange : public HttpExchange {
 public:
  template <typename... Args>
  StreamExchange(std::unique_ptr<Loop> loop, std::chrono::seconds timeout, bool head_request, Args&&... args)
      : loop_(std::move(loop)),
        stream_(loop_->ioc(), std::forward<Args>(args)...),
        timeout_(timeout),
        head_request_(head_request) {}
  ~StreamExchange() override {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  Stream& stream() { return stream_; }
  // Something the stream needs for its lifetime (the TLS context).
  void keep(std::shared_ptr<void> p) { keep_ = std::move(p); }
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }
  Loop& loop() { return *loop_; }

  Status SendHead(bhttp::request<bhttp::empty_body>& head) {
    bhttp::request_serializer<bhttp::empty_body> sr{head};
    auto ec = loop_->Run(tcp(), timeout_, [&](auto h) { bhttp::async_write_header(stream_, sr, h); });
    return ec ? Unreachable("send", ec) : Status::Ok();
  }

  Status Write(std::string_view bytes) override {
    if (bytes.empty()) return Status::Ok();
    auto ec = loop_->Run(tcp(), timeout_,
                         [&](auto h) { asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()), h); });
    return ec ? Unreachable("send", ec) : Status::Ok();
  }

  Status Write(std::string_view first, std::string_view second) override {
    // One gathered write. Not a std::array of two buffers: Asio's
    // consuming_buffers for that type hands the next step an empty first
    // buffer once the first part is sent, and Beast's TLS stream (its
    // flat_stream) writes nothing for such a step when the second part is
    // over 16 KiB, which async_write takes for the end: the body came up
    // short and the store answered IncompleteBody. buffers_cat's sequence
    // goes through the generic consuming_buffers, which skips spent buffers.
    const auto parts =
        beast::buffers_cat(asio::buffer(first.data(), first.size()), asio::buffer(second.data(), second.size()));
    auto ec = loop_->Run(tcp(), timeout_, [&](auto h) { asio::async_write(stream_, parts, h); });
    return ec ? Unreachable("send", ec) : Status::Ok();
  }

  Result<HttpResponse> Finish(size_t max_body) override {
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(max_body);
    if (head_request_) parser.skip(true);  // HEAD answers carry a length but no body
    auto ec = loop_->Run(tcp(), timeout_, [&](auto h) { bhttp::async_read(stream_, buffer, parser, h); });
    if (ec) return Unreachable("receive", ec);
    HttpResponse out;
    auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    for (auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    out.body = std::move(res.body());
    return out;
  }

 private:
  std::unique_ptr<Loop> loop_;  // before stream_: the stream lives on it
  std::shared_ptr<void> keep_;  // likewise
  Stream stream_;
  std::chrono::seconds timeout_;
  bool head_request_;
};

}  // namespace

std::string Endpoint::HostHeader() const {
  if ((tls && port == 443) || (!tls && port == 80)) return host;
  return host + ":" + std::to_string(port);
}

std::string HttpResponse::Header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), name.size()) == 0) return v;
  return "";
}

Result<std::unique_ptr<HttpExchange>> HttpClient::Open(const HttpRequest& req) const {
  bhttp::request<bhttp::empty_body> head{bhttp::string_to_verb(req.method), req.target, 11};
  head.set(bhttp::field::host, ep_.HostHeader());
  for (auto& [k, v] : req.headers) head.set(k, v);
  head.keep_alive(false);
  const bool head_request = head.method() == bhttp::verb::head;

  auto loop = std::make_unique<Loop>();
  tcp::resolver resolver(loop->ioc());
  beast::error_code ec;
  auto hosts = resolver.resolve(ep_.host, std::to_string(ep_.port), ec);
  if (ec) return Unreachable("resolve " + ep_.host, ec);

  if (!ep_.tls) {
    auto x = std::make_unique<StreamExchange<beast::tcp_stream>>(std::move(loop), timeout_, head_request);
    ec = x->loop().Run(x->tcp(), timeout_, [&](auto h) { x->tcp().async_connect(hosts, h); });
    if (ec) return Unreachable("connect " + ep_.HostHeader(), ec);
    ARCA_RETURN_IF_ERROR(x->SendHead(head));
    return std::unique_ptr<HttpExchange>(std::move(x));
  }
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  ctx->set_default_verify_paths();
  ctx->set_verify_mode(verify_tls_ ? asio::ssl::verify_peer : asio::ssl::verify_none);
  auto x = std::make_unique<StreamExchange<TlsStream>>(std::move(loop), timeout_, head_request, *ctx);
  x->keep(ctx);
  auto& stream = x->stream();
  SSL_set_tlsext_host_name(stream.native_handle(), ep_.host.c_str());  // SNI
  if (verify_tls_) stream.set_verify_callback(asio::ssl::host_name_verification(ep_.host));
  ec = x->loop().Run(x->tcp(), timeout_, [&](auto h) { x->tcp().async_connect(hosts, h); });
  if (ec) return Unreachable("connect " + ep_.HostHeader(), ec);
  ec = x->loop().Run(x->tcp(), timeout_,
                     [&](auto h) { stream.async_handshake(asio::ssl::stream_base::client, h); });
  if (ec) {
    // A certificate the client does not trust is a setting to fix, not a
    // hiccup: no retry will change it.
    return Internal("storage_tls", "TLS handshake with " + ep_.host + ": " + ec.message());
  }
  ARCA_RETURN_IF_ERROR(x->SendHead(head));
  return std::unique_ptr<HttpExchange>(std::move(x));
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& req, size_t max_body) const {
  HttpRequest head = req;
  // What Beast's prepare_payload would say: a length whenever there is a
  // body, and 0 for the methods that expect one.
  if (!req.body.empty() || req.method == "PUT" || req.method == "POST")
    head.headers.emplace_back("Content-Length", std::to_string(req.body.size()));
  auto x = Open(head);
  if (!x.ok()) return x.status();
  ARCA_RETURN_IF_ERROR((*x)->Write(req.body));
  return (*x)->Finish(max_body);
}

}  // namespace arca::s3
