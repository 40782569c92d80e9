#pragma once
// The Discord transport's metrics, registered once and shared by the
// gateway and every voice connection.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace parley::discord {

struct discord_metrics {
  explicit discord_metrics(prometheus::Registry& r);

  prometheus::Gauge& gateway_latency;  // seconds, heartbeat to ack
  prometheus::Counter& gateway_reconnects;
  prometheus::Counter& gateway_resumes;
  prometheus::Gauge& voice_connections;
  prometheus::Counter& voice_resumes;
  prometheus::Counter& packets_in;
  prometheus::Counter& packets_out;
  prometheus::Counter& packets_lost;
  prometheus::Counter& decrypt_failures;
  prometheus::Counter& packets_flooded;
  prometheus::Counter& dave_unencryptable;
  prometheus::Counter& dave_transitions;
  prometheus::Counter& dave_invalid;
};

}  // namespace parley::discord
