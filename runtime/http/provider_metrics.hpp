#pragma once
// The remote providers' counters and breaker states, read from their
// statuses at scrape time (the engines need no metrics library, and a
// scrape cannot disagree with what /health says).

#include <memory>

#include <prometheus/collectable.h>

#include "runtime/http/provider_status.hpp"

namespace parley::http {

std::shared_ptr<prometheus::Collectable> make_provider_collector(
    std::shared_ptr<const provider_board> board);

}  // namespace parley::http
