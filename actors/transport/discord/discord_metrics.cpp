#include "actors/transport/discord/discord_metrics.hpp"

namespace parley::discord {

namespace {

prometheus::Counter& counter(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({});
}

prometheus::Gauge& gauge(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}

}  // namespace

discord_metrics::discord_metrics(prometheus::Registry& r)
    : gateway_latency(gauge(r, "parley_discord_gateway_latency_seconds",
                            "Discord gateway heartbeat round trip, the last one.")),
      gateway_reconnects(counter(r, "parley_discord_gateway_reconnects_total",
                                 "Discord gateway connections lost or closed and made again.")),
      gateway_resumes(counter(r, "parley_discord_gateway_resumes_total",
                              "Discord gateway sessions resumed rather than identified anew.")),
      voice_connections(gauge(r, "parley_discord_voice_connections",
                              "Discord voice connections running, one per guild.")),
      voice_resumes(counter(r, "parley_discord_voice_resumes_total",
                            "Discord voice sessions resumed (seq_ack) after a drop or a kill.")),
      packets_in(counter(r, "parley_discord_voice_packets_in_total",
                         "Discord voice packets received, decrypted and mapped to a user.")),
      packets_out(counter(r, "parley_discord_voice_packets_out_total",
                          "Discord voice packets sent (reply audio and its trailing silence).")),
      packets_lost(
          counter(r, "parley_discord_voice_packets_lost_total",
                  "Discord voice packets never received (gaps the jitter buffer gave up).")),
      decrypt_failures(counter(r, "parley_discord_voice_decrypt_failures_total",
                               "Discord voice packets dropped: malformed or not decrypting.")),
      packets_flooded(counter(r, "parley_discord_voice_packets_flooded_total",
                              "Discord voice packets dropped: over their speaker's rate.")),
      dave_unencryptable(
          counter(r, "parley_discord_dave_unencryptable_total",
                  "Reply frames not sent: DAVE is on and the call's group was not ready.")),
      dave_transitions(counter(r, "parley_discord_dave_transitions_total",
                               "DAVE transitions executed (a new epoch or protocol version).")),
      dave_invalid(counter(r, "parley_discord_dave_invalid_total",
                           "DAVE commits or Welcomes refused and reported; the group rejoined.")) {}

}  // namespace parley::discord
