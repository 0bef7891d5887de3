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

void Metrics::Histogram::Add(double seconds) {
  if (buckets.empty()) buckets.assign(kBounds.size(), 0);
  for (size_t i = 0; i < kBounds.size(); ++i)
    if (seconds <= kBounds[i]) ++buckets[i];
  ++count;
  sum += seconds;
}

void Metrics::Histogram::Render(std::ostream& out, const std::string& name, const std::string& labels) const {
  const std::string sep = labels.empty() ? "" : ",";
  for (size_t i = 0; i < buckets.size(); ++i)
    out << name << "_bucket{" << labels << sep << "le=\"" << kBounds[i] << "\"} " << buckets[i] << "\n";
  out << name << "_bucket{" << labels << sep << "le=\"+Inf\"} " << count << "\n";
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out << name << "_sum" << braces << " " << sum << "\n";
  out << name << "_count" << braces << " " << count << "\n";
}

void Metrics::ObserveRequest(std::string_view method, std::string_view route, int status, double seconds) {
  std::lock_guard lock(mu_);
  auto count = requests_.find(std::tuple(method, route, status));
  if (count == requests_.end())
    count = requests_.emplace(std::tuple(std::string(method), std::string(route), status), 0).first;
  ++count->second;
  auto hist = latency_.find(std::tuple(method, route));
  if (hist == latency_.end())
    hist = latency_.emplace(std::tuple(std::string(method), std::string(route)), Histogram{}).first;
  hist->second.Add(seconds);
}

void Metrics::AddHistogram(std::string name, std::string help) {
  std::lock_guard lock(mu_);
  durations_[std::move(name)].first = std::move(help);
}

void Metrics::ObserveDuration(const std::string& name, double seconds) {
  std::lock_guard lock(mu_);
  auto it = durations_.find(name);
  if (it != durations_.end()) it->second.second.Add(seconds);
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mu_);
  gauges_.emplace_back(std::move(name), std::move(help), std::move(read));
}

std::string Metrics::Render() {
  // Gauges may ask a slow service (the broker's lag); read them before
  // taking the lock, so requests recording their latency never wait on that.
  std::vector<std::tuple<std::string, std::string, std::function<double()>>> gauges;
  {
    std::lock_guard lock(mu_);
    gauges = gauges_;
  }
  std::vector<std::tuple<std::string, std::string, double>> readings;
  for (auto& [name, help, read] : gauges) readings.emplace_back(name, help, read());

  std::ostringstream out;
  std::lock_guard lock(mu_);
  out << "# HELP arca_http_requests_total HTTP requests by method, route and status.\n"
      << "# TYPE arca_http_requests_total counter\n";
  for (auto& [k, n] : requests_)
    out << "arca_http_requests_total{method=\"" << Label(std::get<0>(k)) << "\",route=\"" << Label(std::get<1>(k))
        << "\",status=\"" << std::get<2>(k) << "\"} " << n << "\n";
  out << "# HELP arca_http_request_duration_seconds Time to answer, by method and route.\n"
      << "# TYPE arca_http_request_duration_seconds histogram\n";
  for (auto& [k, h] : latency_)
    h.Render(out, "arca_http_request_duration_seconds",
             "method=\"" + Label(std::get<0>(k)) + "\",route=\"" + Label(std::get<1>(k)) + "\"");
  for (auto& [name, entry] : durations_) {
    out << "# HELP " << name << " " << entry.first << "\n# TYPE " << name << " histogram\n";
    Histogram h = entry.second;
    if (h.buckets.empty()) h.buckets.assign(kBounds.size(), 0);
    h.Render(out, name, "");
  }
  out << "# HELP arca_upload_bytes_total Bytes received in uploads.\n"
      << "# TYPE arca_upload_bytes_total counter\n"
      << "arca_upload_bytes_total " << upload_bytes_.load() << "\n";
  for (auto& [name, help, v] : readings) {
    if (v < 0) continue;
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n" << name << " " << v << "\n";
  }
  return out.str();
}

}  // namespace arca::http
