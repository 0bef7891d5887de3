// Prometheus metrics: request counts and latency histograms per route,
// upload bytes, and gauges read when /metrics is scraped. Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace arca::http {

class Metrics {
 public:
  void ObserveRequest(std::string_view method, std::string_view route, int status, double seconds);
  void AddUploadBytes(std::uint64_t n) { upload_bytes_ += n; }
  // A histogram of durations outside HTTP (e.g. the wait for the broker).
  void AddHistogram(std::string name, std::string help);
  void ObserveDuration(const std::string& name, double seconds);
  // `read` is called on every scrape; a negative value omits the sample.
  void AddGauge(std::string name, std::string help, std::function<double()> read);
  std::string Render();

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets;
    std::uint64_t count = 0;
    double sum = 0;
    void Add(double seconds);
    void Render(std::ostream& out, const std::string& name, const std::string& labels) const;
  };
  std::mutex mu_;
  // Transparent comparators: a request looks its series up by views, and
  // copies the labels only the first time a series appears.
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t, std::less<>> requests_;  // guarded by mu_
  std::map<std::tuple<std::string, std::string>, Histogram, std::less<>> latency_;           // guarded by mu_
  std::vector<std::tuple<std::string, std::string, std::function<double()>>> gauges_;
  std::map<std::string, std::pair<std::string, Histogram>> durations_;  // name -> (help, histogram); mu_
  std::atomic<std::uint64_t> upload_bytes_{0};
};

}  // namespace arca::http
