// An App wired to in-memory fakes, for unit tests of use cases and routes.
// Tests that inject a fault wrap one fake and call Wire() with the wrapper.
#pragma once

#include <atomic>

#include "app/app.hpp"
#include "core/ids.hpp"
#include "unit/fakes/call_log.hpp"
#include "unit/fakes/fake_auth.hpp"
#include "unit/fakes/fake_event_bus.hpp"
#include "unit/fakes/fake_metadata_store.hpp"
#include "unit/fakes/fake_object_store.hpp"

namespace arca::fakes {

class FakeClock : public Clock {
 public:
  explicit FakeClock(Micros now = 1'780'000'000'000'000) : now_(now) {}
  Micros Now() override { return now_; }
  void Advance(Micros d) { now_ += d; }

 private:
  std::atomic<Micros> now_;
};

// Answers with a fixed type and remembers how many bytes it was shown.
class FakeSniffer : public ContentSniffer {
 public:
  std::string Sniff(std::string_view head) override {
    last_head_size = head.size();
    return answer;
  }
  std::string answer = "application/octet-stream";
  size_t last_head_size = 0;
};

struct FakeApp {
  CallLog log;
  FakeMetadataStore meta{&log};
  FakeObjectStore objects{&log};
  FakeEventBus bus{&log};
  FakeTokenService tokens;
  FakePasswordHasher passwords;
  FakeSniffer sniffer;
  FakeClock clock;
  App app{meta, objects, bus, tokens, passwords, sniffer, clock, AppSettings{}};

  // The same fakes, with some ports replaced (e.g. by a fault-injecting wrapper).
  App Wire(MetadataStore* m, ObjectStore* o, EventBus* b) {
    return App{m ? *m : meta, o ? *o : objects, b ? *b : bus, tokens, passwords, sniffer, clock, app.settings};
  }

  // A user the store knows, with password "correct horse".
  User AddUser(const std::string& name, bool admin = false) {
    User u{NewId(), name, "fake-hash$correct horse", admin, clock.Now()};
    (void)meta.CreateUser(u);
    return u;
  }
};

}  // namespace arca::fakes
