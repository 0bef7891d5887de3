// Role "metadata": file.uploaded -> a row per file. Rows of a batch go in one
// transaction; acks follow the commit, so a crash before it redelivers them
// and the insert-if-absent makes the second delivery a no-op.
#include "app/background_work.hpp"
#include "app/log.hpp"
#include "core/failpoint.hpp"
#include "workers/consumer.hpp"

namespace arca::workers {
namespace {

class MetadataWriter : public Consumer {
 public:
  explicit MetadataWriter(App& app) : app_(app) {}
  std::string Group() const override { return "metadata"; }
  std::string Topic() const override { return app_.settings.topics.uploaded; }
  size_t BatchSize() const override { return 200; }

  Status Handle(Subscription& sub, std::vector<Message>& batch) override {
    std::vector<FileUploaded> events;
    std::vector<const Message*> sources;
    for (auto& m : batch) {
      auto e = ParseFileUploaded(m.payload);
      if (!e.ok()) {
        log::Warn("poison message", {{"topic", m.topic}, {"error", e.status().message()}});
        (void)sub.Fail(m, e.status().message(), false);
        continue;
      }
      events.push_back(std::move(e).value());
      sources.push_back(&m);
    }
    if (events.empty()) return Status::Ok();
    Status all = RecordUploads(app_, events);
    if (all.ok()) {
      Failpoint("after-row-insert");
      for (auto* m : sources) (void)sub.Ack(*m);
      return Status::Ok();
    }
    if (all.kind() == ErrorKind::kUnavailable) return all;
    // Find the culprit: one by one, so one bad row does not hold back the rest.
    for (size_t i = 0; i < events.size(); ++i) {
      Status st = RecordUploads(app_, {events[i]});
      if (st.ok()) {
        (void)sub.Ack(*sources[i]);
        continue;
      }
      if (st.kind() == ErrorKind::kUnavailable) return st;
      log::Warn("metadata write failed",
                {{"file_id", events[i].file.id}, {"error", st.message()}, {"request_id", events[i].header.request_id}});
      (void)FailMessage(sub, *sources[i], st);
    }
    return Status::Ok();
  }

 private:
  App& app_;
};

}  // namespace

std::unique_ptr<Consumer> MakeMetadataWriter(App& app) { return std::make_unique<MetadataWriter>(app); }

}  // namespace arca::workers
