#include "adapters/kafka/kafka_config.hpp"

namespace arca::kafka {
void LogEvents::event_cb(RdKafka::Event& e) {
  if (!options_.log) return;
  if (e.type() == RdKafka::Event::EVENT_ERROR) {
    options_.log(true, RdKafka::err2str(e.err()), e.str());
  } else if (e.type() == RdKafka::Event::EVENT_LOG) {
    const int sev = static_cast<int>(e.severity());  // syslog levels: 3 error, 4 warning, 6 info, 7 debug
    if (sev <= 6) options_.log(sev <= 4, e.fac(), e.str());
  }
}

Result<std::unique_ptr<RdKafka::Conf>> MakeConf(const std::map<std::string, std::string>& props, LogEvents& events) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  if (conf->set("event_cb", &events, err) != RdKafka::Conf::CONF_OK)
    return Internal("broker_rejected", "Kafka event callback: " + err);
  for (const auto& [k, v] : props) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK)
      return InvalidArgument("invalid_setting", "Kafka property " + k + "=" + v + ": " + err);
  }
  return conf;
}

Status FromKafka(RdKafka::ErrorCode err, const std::string& what) {
  if (err == RdKafka::ERR_NO_ERROR) return Status::Ok();
  const std::string msg = what + ": " + RdKafka::err2str(err);
  switch (err) {
    case RdKafka::ERR__FATAL:
    case RdKafka::ERR__AUTHENTICATION:
    case RdKafka::ERR__INVALID_ARG:
    case RdKafka::ERR_MSG_SIZE_TOO_LARGE:
    case RdKafka::ERR_TOPIC_EXCEPTION:
    case RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED:
    case RdKafka::ERR_GROUP_AUTHORIZATION_FAILED:
    case RdKafka::ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RdKafka::ERR_SASL_AUTHENTICATION_FAILED:
      return Internal("broker_rejected", msg);
    default:
      return Unavailable("broker_unavailable", msg);
  }
}

}  // namespace arca::kafka
