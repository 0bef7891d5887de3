// Clock: the current time, swappable in tests.
#pragma once

#include "core/time.hpp"

namespace arca {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Micros Now() = 0;
};

class SystemClock : public Clock {
 public:
  Micros Now() override { return NowMicros(); }
};

}  // namespace arca
