// Named crash points for the crash-matrix tests (tests/integration/
// test_crash_matrix.py). When the environment variable ARCA_FAILPOINT names
// a point, the process kills itself there with SIGKILL — no destructors, no
// flush — the way an OOM kill or a power cut would stop it. Builds made
// with -DARCA_FAILPOINTS=OFF compile the calls away.
//
// The points, in the order an upload and a delete pass them:
//   after-object-put         the object is stored; no event, no row yet
//   after-event-publish      the event is stored; the client has no answer
//   after-row-insert         the metadata worker committed rows; not acked
//   after-mark-deleting      DELETE marked the row; no event yet
//   after-object-delete-before-row-delete   the deleter removed the object
#pragma once

#include <string_view>

namespace arca {

#if ARCA_FAILPOINTS
void Failpoint(std::string_view name);
#else
inline void Failpoint(std::string_view) {}
#endif

}  // namespace arca
