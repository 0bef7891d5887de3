// arca reconcile [--fix] [--json] [--grace DURATION] [--max-deletes N]
// Exit codes: 0 the mirror holds (or every difference was repaired), 1 a
// difference remains, 2 bad arguments or an unreachable service.
#include <cstdio>

#include "app/reconcile.hpp"
#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "core/units.hpp"

namespace arca::cli {
namespace {

void PrintText(const ReconcileReport& r, bool fix) {
  std::printf("scanned %lld objects and %lld rows (%lld objects younger than the grace period left alone)\n",
              static_cast<long long>(r.objects), static_cast<long long>(r.rows), static_cast<long long>(r.young));
  std::printf("differences: %lld\n", static_cast<long long>(r.differences()));
  std::printf("  orphan objects     %lld\n", static_cast<long long>(r.orphans));
  std::printf("  missing objects    %lld\n", static_cast<long long>(r.missing));
  std::printf("  size mismatches    %lld\n", static_cast<long long>(r.size_mismatches));
  std::printf("  stuck rows         %lld\n", static_cast<long long>(r.stuck));
  std::printf("  abandoned uploads  %lld\n", static_cast<long long>(r.abandoned_uploads));
  if (fix)
    std::printf("fixed: %lld adopted, %lld orphans deleted (%lld left for the next pass), %lld marked missing, "
                "%lld deletes sent again, %lld uploads aborted\n",
                static_cast<long long>(r.adopted), static_cast<long long>(r.orphans_deleted),
                static_cast<long long>(r.orphans_left), static_cast<long long>(r.marked_missing),
                static_cast<long long>(r.deletes_reissued), static_cast<long long>(r.uploads_aborted));
  for (const auto& e : r.examples) std::printf("  %-16s %s  %s\n", e.kind.c_str(), e.key.c_str(), e.detail.c_str());
}

// What is still wrong after a fixing pass: size mismatches, stuck rows that
// have no repair (pending, processing), and orphans over the delete cap.
bool Remains(const ReconcileReport& r, bool fix) {
  if (!fix) return r.differences() > 0;
  return r.size_mismatches > 0 || r.orphans_left > 0 || r.stuck > r.deletes_reissued;
}

}  // namespace

int Reconcile(const Settings& s, const ReconcileFlags& f) {
  ReconcileOptions o;
  o.fix = f.fix;
  o.max_deletes = f.max_deletes;
  if (!f.grace.empty()) {
    auto g = ParseDuration(f.grace);  // 0s is allowed here: everything counts
    if (!g) {
      std::fprintf(stderr, "arca: --grace: expected a duration such as 0s, 10m or 1h, got '%s'\n", f.grace.c_str());
      return 2;
    }
    o.grace = *g;
  }
  if (o.max_deletes < 0) {
    std::fprintf(stderr, "arca: --max-deletes: expected 0 or more\n");
    return 2;
  }
  auto rt = BuildRuntime(s);
  if (!rt.ok()) {
    std::fprintf(stderr, "arca: %s\n", rt.status().message().c_str());
    return 2;
  }
  App& app = *(*rt)->app;
  auto report = arca::Reconcile(app, o);
  if (!report.ok()) {
    std::fprintf(stderr, "arca: reconcile: %s\n", report.status().message().c_str());
    return 2;
  }
  const std::string json = ToJson(*report);
  (void)app.meta.SaveReconcileSummary(report->finished_at, json);
  if (f.json) std::printf("%s\n", json.c_str());
  else PrintText(*report, f.fix);
  return Remains(*report, f.fix) ? 1 : 0;
}

}  // namespace arca::cli
