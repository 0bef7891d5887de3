// Role "rename": file.rename_requested -> object copied to its new key, row
// pointed at it, old object removed (named layout).
#include "app/background_work.hpp"
#include "workers/consumer.hpp"

namespace arca::workers {
namespace {

class Renamer : public Consumer {
 public:
  explicit Renamer(App& app) : app_(app) {}
  std::string Group() const override { return "rename"; }
  std::string Topic() const override { return app_.settings.topics.rename_requested; }
  size_t BatchSize() const override { return 10; }

  Status Handle(Subscription& sub, std::vector<Message>& batch) override {
    return HandleEach(sub, batch, "rename", ParseRenameRequested,
                      [this](const RenameRequested& e) { return MoveFile(app_, e); });
  }

 private:
  App& app_;
};

}  // namespace

std::unique_ptr<Consumer> MakeRenamer(App& app) { return std::make_unique<Renamer>(app); }

}  // namespace arca::workers
