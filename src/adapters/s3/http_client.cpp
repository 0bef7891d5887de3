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

namespace {

Status Unreachable(const std::string& what, const beast::error_code& ec) {
  return Unavailable("storage_unreachable", what + ": " + ec.message());
}

// Writes the request and reads the answer on an already connected stream.
template <typename Stream>
asio::awaitable<Result<HttpResponse>> Exchange(Stream& stream, beast::tcp_stream& timer_owner,
                                               bhttp::request<bhttp::string_body>& msg, size_t max_body,
                                               std::chrono::seconds timeout) {
  timer_owner.expires_after(timeout);
  auto [wec, wn] = co_await bhttp::async_write(stream, msg, asio::as_tuple(asio::use_awaitable));
  if (wec) co_return Unreachable("send", wec);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_body);
  if (msg.method() == bhttp::verb::head) parser.skip(true);  // HEAD answers carry a length but no body
  timer_owner.expires_after(timeout);
  auto [rec, rn] = co_await bhttp::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  if (rec) co_return Unreachable("receive", rec);
  HttpResponse out;
  auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  for (auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = std::move(res.body());
  co_return out;
}

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

Result<HttpResponse> HttpClient::Send(const HttpRequest& req, size_t max_body) const {
  bhttp::request<bhttp::string_body> msg{bhttp::string_to_verb(req.method), req.target, 11};
  msg.set(bhttp::field::host, ep_.HostHeader());
  for (auto& [k, v] : req.headers) msg.set(k, v);
  msg.body() = std::string(req.body);
  msg.prepare_payload();
  msg.keep_alive(false);

  // A private event loop per call: the deadlines of Beast's async operations,
  // with a blocking interface for the adapter's callers.
  asio::io_context ioc;
  Result<HttpResponse> result = Unavailable("storage_unreachable", "no answer");
  auto run = [&]() -> asio::awaitable<void> {
    tcp::resolver resolver(ioc);
    auto [ec, hosts] = co_await resolver.async_resolve(ep_.host, std::to_string(ep_.port),
                                                       asio::as_tuple(asio::use_awaitable));
    if (ec) {
      result = Unreachable("resolve " + ep_.host, ec);
      co_return;
    }
    if (!ep_.tls) {
      beast::tcp_stream stream(ioc);
      stream.expires_after(timeout_);
      auto [cec, ep] = co_await stream.async_connect(hosts, asio::as_tuple(asio::use_awaitable));
      if (cec) {
        result = Unreachable("connect " + ep_.HostHeader(), cec);
        co_return;
      }
      result = co_await Exchange(stream, stream, msg, max_body, timeout_);
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      co_return;
    }
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(verify_tls_ ? asio::ssl::verify_peer : asio::ssl::verify_none);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    SSL_set_tlsext_host_name(stream.native_handle(), ep_.host.c_str());  // SNI
    if (verify_tls_) stream.set_verify_callback(asio::ssl::host_name_verification(ep_.host));
    auto& tcp_layer = beast::get_lowest_layer(stream);
    tcp_layer.expires_after(timeout_);
    auto [cec, ep] = co_await tcp_layer.async_connect(hosts, asio::as_tuple(asio::use_awaitable));
    if (cec) {
      result = Unreachable("connect " + ep_.HostHeader(), cec);
      co_return;
    }
    tcp_layer.expires_after(timeout_);
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
    if (hec) {
      // A certificate the client does not trust is a setting to fix, not a
      // hiccup: no retry will change it.
      result = Internal("storage_tls", "TLS handshake with " + ep_.host + ": " + hec.message());
      co_return;
    }
    result = co_await Exchange(stream, tcp_layer, msg, max_body, timeout_);
  };
  asio::co_spawn(ioc, run(), asio::detached);
  ioc.run();
  return result;
}

}  // namespace arca::s3
