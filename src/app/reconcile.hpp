// The reconciler (CONTRACT §5): compares the bucket and the database in both
// directions as a streaming merge of two sorted listings — object pages
// from the store (ListObjectsV2) against a keyset scan of rows by
// object_key — so memory stays flat however many files there are. With
// `fix` it repairs what it finds.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "app/app.hpp"

namespace arca {

struct ReconcileOptions {
  bool fix = false;
  // Objects, rows and uploads younger than this are work in flight, not differences.
  std::chrono::seconds grace{3600};
  // Orphan objects removed per pass at most; the rest wait for the next pass.
  std::int64_t max_deletes = 1000;
  std::string prefix;  // keys compared; empty: the configured key layout's (KeyPrefix)
  size_t page = 1000;
  size_t max_examples = 100;  // listed per kind in the report; the counts are exact
};

struct ReconcileReport {
  Micros started_at = 0;
  Micros finished_at = 0;
  std::int64_t objects = 0;  // scanned
  std::int64_t rows = 0;     // scanned
  std::int64_t young = 0;    // objects inside the grace period, left alone

  // Differences found.
  std::int64_t orphans = 0;            // objects with no row
  std::int64_t missing = 0;            // `ready` rows whose object is gone
  std::int64_t size_mismatches = 0;    // row and object disagree on the size
  std::int64_t stuck = 0;              // rows `pending`, `processing` or `deleting` past the grace period
  std::int64_t abandoned_uploads = 0;  // unfinished uploads past the grace period

  // What `fix` did about them.
  std::int64_t adopted = 0;           // orphans given a row from their own metadata
  std::int64_t orphans_deleted = 0;   // orphans removed (no valid metadata, or a deleted file's)
  std::int64_t orphans_left = 0;      // over max_deletes: for the next pass
  std::int64_t marked_missing = 0;
  std::int64_t deletes_reissued = 0;  // stuck deletes sent to the deleter again
  std::int64_t uploads_aborted = 0;

  struct Example {
    std::string kind;  // orphan, missing, size_mismatch, stuck, abandoned_upload
    std::string key;
    std::string detail;
  };
  std::vector<Example> examples;

  std::int64_t differences() const { return orphans + missing + size_mismatches + stuck + abandoned_uploads; }
};

Result<ReconcileReport> Reconcile(App& app, const ReconcileOptions& options);

std::string ToJson(const ReconcileReport& report);

}  // namespace arca
