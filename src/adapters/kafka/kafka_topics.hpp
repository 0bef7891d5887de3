// Topic administration through librdkafka's admin API (C only; the C++ API
// has none): create what is missing, read partition counts.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/status.hpp"

namespace arca::kafka {

// Creates the topics that do not exist yet; an existing topic is left as
// it is (its partition count is the operator's choice). Returns once the
// broker has finished creating them.
Status EnsureTopics(RdKafka::Handle& handle, const std::vector<std::string>& names, int partitions, int replication,
                    std::chrono::milliseconds timeout);

// The topic's partition count from the cluster's metadata (0 if it does not exist).
Result<int> PartitionCount(RdKafka::Handle& handle, const std::string& topic, std::chrono::milliseconds timeout);

}  // namespace arca::kafka
