#include "http/metrics.hpp"

#include <array>
#include <sstream>

namespace arca::http {
namespace {
constexpr std::array<double, 12> kBounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
std::string Label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') { out += "\\n"; continue; }
    out.push_back(c);
  }
  return out;
}
}  // namespace

void Metrics::ObserveRequest(const std::string& method, const std::string& route, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{method, route, status}];
  Histogram& h = latency_[{method, route}];
  if (h.buckets.empty()) h.buckets.assign(kBounds.size(), 0);
  for (size_t i = 0; i < kBounds.size(); ++i)
    if (seconds <= kBounds[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mu_);
  gauges_.emplace_back(std::move(name), std::move(help), std::move(read));
}

std::string Metrics::Render() {
  std::ostringstream out;
  std::lock_guard lock(mu_);
  out << "# HELP arca_http_requests_total HTTP requests by method, route and status.\n"
      << "# TYPE arca_http_requests_total counter\n";
  for (auto& [k, n] : requests_)
    out << "arca_http_requests_total{method=\"" << Label(std::get<0>(k)) << "\",route=\"" << Label(std::get<1>(k))
        << "\",status=\"" << std::get<2>(k) << "\"} " << n << "\n";
  out << "# HELP arca_http_request_duration_seconds Time to answer, by method and route.\n"
      << "# TYPE arca_http_request_duration_seconds histogram\n";
  for (auto& [k, h] : latency_) {
    std::string labels = "method=\"" + Label(k.first) + "\",route=\"" + Label(k.second) + "\"";
    for (size_t i = 0; i < kBounds.size(); ++i)
      out << "arca_http_request_duration_seconds_bucket{" << labels << ",le=\"" << kBounds[i] << "\"} "
          << h.buckets[i] << "\n";
    out << "arca_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << h.count << "\n";
    out << "arca_http_request_duration_seconds_sum{" << labels << "} " << h.sum << "\n";
    out << "arca_http_request_duration_seconds_count{" << labels << "} " << h.count << "\n";
  }
  out << "# HELP arca_upload_bytes_total Bytes received in uploads.\n"
      << "# TYPE arca_upload_bytes_total counter\n"
      << "arca_upload_bytes_total " << upload_bytes_.load() << "\n";
  for (auto& [name, help, read] : gauges_) {
    double v = read();
    if (v < 0) continue;
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n" << name << " " << v << "\n";
  }
  return out.str();
}

}  // namespace arca::http
