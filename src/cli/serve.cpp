#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "adapters/localfs/localfs_object_store.hpp"
#include "adapters/postgres/pg_metadata_store.hpp"
#include "app/auth.hpp"
#include "app/log.hpp"
#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "http/handlers/handlers.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"
#include "workers/worker_pool.hpp"

namespace arca::cli {
namespace {

// The last reconcile pass (from any process: it is kept in the database),
// read at most once a second however many gauges a scrape reads.
void AddReconcileGauges(http::Metrics& metrics, App& app) {
  struct Cache {
    std::mutex mu;
    std::chrono::steady_clock::time_point read_at{};
    boost::json::object summary;
  };
  auto cache = std::make_shared<Cache>();
  auto value = [cache, &app](std::string_view group, std::string_view field) -> double {
    std::lock_guard lock(cache->mu);
    const auto now = std::chrono::steady_clock::now();
    if (now - cache->read_at > std::chrono::seconds(1)) {
      cache->read_at = now;
      cache->summary.clear();
      auto last = app.meta.LastReconcileSummary();
      boost::system::error_code ec;
      if (last.ok() && *last) {
        auto v = boost::json::parse(**last, ec);
        if (!ec && v.is_object()) cache->summary = v.as_object();
      }
    }
    const boost::json::value* v = group.empty() ? cache->summary.if_contains(field) : nullptr;
    if (!group.empty())
      if (auto* g = cache->summary.if_contains(group); g && g->is_object()) v = g->as_object().if_contains(field);
    return v && v->is_int64() ? static_cast<double>(v->as_int64()) : -1.0;  // no pass yet: no sample
  };
  metrics.AddGauge("arca_reconcile_last_differences", "Differences the last reconcile pass found.",
                   [value] { return value("", "differences"); });
  for (const char* f : {"orphans", "missing", "size_mismatches", "stuck", "abandoned_uploads"})
    metrics.AddGauge(std::string("arca_reconcile_last_found_") + f, std::string("Last reconcile pass: ") + f + " found.",
                     [value, f] { return value("found", f); });
  for (const char* f : {"adopted", "orphans_deleted", "marked_missing", "deletes_reissued", "uploads_aborted"})
    metrics.AddGauge(std::string("arca_reconcile_last_fixed_") + f, std::string("Last reconcile pass: ") + f + ".",
                     [value, f] { return value("fixed", f); });
}

// Database connections for the reads of each event loop. A waiting query
// holds no thread, so a few serve many clients; more would only add
// contention inside PostgreSQL on a small machine.
constexpr int kLoopReadConnections = 4;
}  // namespace

int Serve(const Settings& s) {
  BlockStopSignals();
  // The web UI: ARCA_WEB_DIR, else the web/dist beside the binary's folder.
  std::error_code exe_ec;
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe", exe_ec).string();
  const auto web_dir = http::handlers::FindWebDir(s.web_dir, exe);
  if (!web_dir) {
    std::fprintf(stderr, "arca: setting web_dir: no index.html in '%s' (build the UI with scripts/build-web)\n",
                 s.web_dir.c_str());
    return 1;
  }
  auto rt = BuildRuntime(s);
  if (!rt.ok()) {
    std::fprintf(stderr, "arca: %s\n", rt.status().message().c_str());
    return 1;
  }
  App& app = *(*rt)->app;

  http::Metrics& metrics = *(*rt)->metrics;
  metrics.AddGauge("arca_queue_depth", "Messages waiting in the broker, all topics.", [&app] {
    auto d = app.bus.Depth();
    return d.ok() ? static_cast<double>(*d) : -1.0;
  });
  AddReconcileGauges(metrics, app);
  http::Router router([&app](std::string_view token) { return Authenticate(app, token); }, metrics,
                      [&app](std::string_view token, ResultCallback<Caller> done) {
                        AuthenticateAsync(app, token, std::move(done));
                      });
  http::Server server({s.listen_host(), s.listen_port()}, router);
  // With PostgreSQL the hot reads wait for the database on the server's
  // event loops instead of a pool thread (docs/performance.md). The guard
  // lets go of the loops' sockets once Run() has returned, before the
  // server (and its loops) is destroyed.
  struct LoopReads {
    postgres::PgMetadataStore* pg;
    ~LoopReads() {
      if (pg) pg->StopReadingOnEventLoops();
    }
  } loop_reads{(*rt)->pg_meta};
  if (loop_reads.pg) loop_reads.pg->ReadOnEventLoops(server.EventLoops(), kLoopReadConnections);
  http::RouteOptions ropts{(*rt)->blob_link_secret, *web_dir};
  http::AddRoutes(router, app, metrics, ropts);

  if (Status st = server.Listen(); !st.ok()) {
    std::fprintf(stderr, "arca: setting listen: %s\n", st.message().c_str());
    return 1;
  }
  const std::string base = "http://" + s.listen_host() + ":" + std::to_string(server.Port());
  if ((*rt)->local_store && s.public_url.empty()) (*rt)->local_store->SetPublicBaseUrl(base);

  std::unique_ptr<workers::WorkerPool> pool;
  if (s.runs_workers_in_serve()) {
    pool = std::make_unique<workers::WorkerPool>(app, workers::WorkerPool::InServeRoles());
    if (Status st = pool->Start(); !st.ok()) {
      std::fprintf(stderr, "arca: workers: %s\n", st.message().c_str());
      return 1;
    }
  }

  std::printf("Arca is listening on %s\n", base.c_str());
  if (auto n = app.meta.CountUsers(); n.ok() && *n == 0)
    std::printf("No users yet. Create one with:\n  arca user add alice --admin --password-stdin <<< 'a-long-password'\n");
  std::fflush(stdout);
  log::Info("serving", {{"url", base},
                        {"workers", s.runs_workers_in_serve() ? "in-process" : "off"},
                        {"web_ui", web_dir->empty() ? "placeholder" : *web_dir}});

  std::thread waiter([&server] {
    int sig = WaitForStopSignal();
    log::Info("stopping", {{"signal", std::to_string(sig)}});
    server.Stop();
  });
  server.Run();
  waiter.join();
  if (pool) pool->Stop();
  log::Info("stopped");
  return 0;
}

}  // namespace arca::cli
