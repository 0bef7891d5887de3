#include "workers/worker_pool.hpp"

#include "app/log.hpp"
#include "app/reconcile.hpp"

namespace arca::workers {

WorkerPool::WorkerPool(App& app, const std::vector<std::string>& roles) : app_(app), roles_(roles) {}
WorkerPool::~WorkerPool() { Stop(); }

Status WorkerPool::Start() {
  bool reconcile = false;
  for (const auto& role : roles_) {
    std::unique_ptr<Consumer> c;
    if (role == "metadata") c = MakeMetadataWriter(app_);
    else if (role == "delete") c = MakeDeleter(app_);
    else if (role == "rename") c = MakeRenamer(app_);
    else if (role == "reconcile") {
      reconcile = true;
      continue;
    } else
      return InvalidArgument("unknown_role",
                             "unknown worker role '" + role + "' (known: metadata, delete, rename, reconcile)");
    auto sub = app_.bus.Subscribe(c->Group(), {c->Topic()});
    if (!sub.ok()) return sub.status();
    consumers_.push_back(std::move(c));
    subs_.push_back(std::move(sub).value());
  }
  for (size_t i = 0; i < consumers_.size(); ++i)
    threads_.emplace_back([this, i] { Loop(*consumers_[i], *subs_[i]); });
  if (reconcile && app_.settings.reconcile_interval.count() > 0) threads_.emplace_back([this] { ReconcileLoop(); });
  return Status::Ok();
}

void WorkerPool::ReconcileLoop() {
  // The first pass waits one interval: a fleet restarting together does not
  // scan the bucket all at once.
  for (;;) {
    BackOff(app_.settings.reconcile_interval);
    if (stop_) return;
    ReconcileOptions o;
    o.fix = true;
    o.grace = app_.settings.reconcile_grace;
    auto report = Reconcile(app_, o);
    if (!report.ok()) {
      log::Warn("reconcile failed", {{"error", report.status().message()}});
      continue;
    }
    (void)app_.meta.SaveReconcileSummary(report->finished_at, ToJson(*report));
    log::Info("reconcile pass", {{"differences", std::to_string(report->differences())},
                                 {"adopted", std::to_string(report->adopted)},
                                 {"orphans_deleted", std::to_string(report->orphans_deleted)},
                                 {"marked_missing", std::to_string(report->marked_missing)},
                                 {"deletes_reissued", std::to_string(report->deletes_reissued)}});
  }
}

void WorkerPool::Loop(Consumer& c, Subscription& sub) {
  int failures = 0;
  while (!stop_) {
    auto batch = sub.Poll(c.BatchSize(), std::chrono::milliseconds(500));
    if (!batch.ok()) {
      // The broker is away: back off, but keep trying (it may come back).
      log::Warn("poll failed", {{"role", c.Group()}, {"error", batch.status().message()}});
      failures = std::min(failures + 1, 6);
      BackOff(std::chrono::milliseconds(100 << failures));
      continue;
    }
    if (batch->empty()) {
      failures = 0;
      continue;
    }
    Status st = c.Handle(sub, *batch);
    if (st.ok()) {
      failures = 0;
      continue;
    }
    // A service is down: give the batch back uncharged and wait before trying again.
    sub.Release();
    log::Warn("service unavailable, backing off", {{"role", c.Group()}, {"error", st.message()}});
    failures = std::min(failures + 1, 6);
    BackOff(std::chrono::milliseconds(100 << failures));
  }
  sub.Release();
}

void WorkerPool::BackOff(std::chrono::milliseconds d) {
  // In slices, so a stop request is not kept waiting.
  const auto until = std::chrono::steady_clock::now() + d;
  while (!stop_ && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

void WorkerPool::Stop() {
  stop_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

}  // namespace arca::workers
