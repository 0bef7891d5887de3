// Role "delete": file.delete_requested -> object removed, then row removed.
#include "app/background_work.hpp"
#include "app/log.hpp"
#include "workers/consumer.hpp"

namespace arca::workers {
namespace {

class Deleter : public Consumer {
 public:
  explicit Deleter(App& app) : app_(app) {}
  std::string Group() const override { return "delete"; }
  std::string Topic() const override { return app_.settings.topics.delete_requested; }
  size_t BatchSize() const override { return 20; }

  Status Handle(Subscription& sub, std::vector<Message>& batch) override {
    for (auto& m : batch) {
      auto e = ParseDeleteRequested(m.payload);
      if (!e.ok()) {
        (void)sub.Fail(m, e.status().message(), false);
        continue;
      }
      Status st = PurgeFile(app_, *e);
      if (st.ok()) {
        (void)sub.Ack(m);
        continue;
      }
      if (st.kind() == ErrorKind::kUnavailable) return st;
      log::Warn("delete failed", {{"file_id", e->header.file_id}, {"error", st.message()}});
      (void)FailMessage(sub, m, st);
    }
    return Status::Ok();
  }

 private:
  App& app_;
};

}  // namespace

std::unique_ptr<Consumer> MakeDeleter(App& app) { return std::make_unique<Deleter>(app); }

}  // namespace arca::workers
