#pragma once
// parley_stt_remote_failures_total and parley_stt_fallbacks_total, read from
// a remote engine's status at scrape time.

#include "actors/stt/fallback_stt.hpp"

#include <memory>

#include <prometheus/collectable.h>

namespace parley::stt {

std::shared_ptr<prometheus::Collectable> make_remote_stt_collector(
    std::shared_ptr<const remote_stt_status> status);

}  // namespace parley::stt
