// A shared, ordered record of side effects, so tests can check that one
// thing happened before another (e.g. the object is deleted before the row).
#pragma once

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

namespace arca::fakes {

class CallLog {
 public:
  void Add(std::string entry) {
    std::lock_guard lock(mu_);
    calls_.push_back(std::move(entry));
  }
  std::vector<std::string> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // Position of the first entry equal to `entry`, or -1.
  int IndexOf(const std::string& entry) const {
    std::lock_guard lock(mu_);
    auto it = std::find(calls_.begin(), calls_.end(), entry);
    return it == calls_.end() ? -1 : static_cast<int>(it - calls_.begin());
  }
  size_t Count(const std::string& entry) const {
    std::lock_guard lock(mu_);
    return static_cast<size_t>(std::count(calls_.begin(), calls_.end(), entry));
  }
  void Clear() {
    std::lock_guard lock(mu_);
    calls_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> calls_;
};

}  // namespace arca::fakes
