#include "adapters/kafka/kafka_options.hpp"

namespace arca::kafka {

Result<std::string> ParseBrokerUrl(const std::string& url) {
  constexpr std::string_view kScheme = "kafka://";
  auto bad = [&](const std::string& why) {
    return InvalidArgument("invalid_setting", "setting broker_url: " + why + " in '" + url + "'");
  };
  if (!url.starts_with(kScheme)) return bad("expected kafka://host:port[,host:port…]");
  std::string rest = url.substr(kScheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty()) return bad("no broker");
  size_t start = 0;
  while (start <= rest.size()) {
    size_t comma = rest.find(',', start);
    std::string hp = rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t colon = hp.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == hp.size()) return bad("expected host:port, got '" + hp + "'");
    for (size_t i = colon + 1; i < hp.size(); ++i)
      if (!std::isdigit(static_cast<unsigned char>(hp[i]))) return bad("bad port in '" + hp + "'");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return rest;
}

}  // namespace arca::kafka
