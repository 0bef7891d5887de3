// Role "delete": file.delete_requested -> object removed, then row removed.
#include "app/background_work.hpp"
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
    return HandleEach(sub, batch, "delete", ParseDeleteRequested,
                      [this](const DeleteRequested& e) { return PurgeFile(app_, e); });
  }

 private:
  App& app_;
};

}  // namespace

std::unique_ptr<Consumer> MakeDeleter(App& app) { return std::make_unique<Deleter>(app); }

}  // namespace arca::workers
