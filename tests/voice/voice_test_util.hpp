#pragma once
// Shared pieces of the voice tests: recorded speech and a connected client.

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <memory>

#include "actors/audio/opus_codec.hpp"
#include "loadtest/client/speech.hpp"
#include "loadtest/client/voice_connection.hpp"

namespace parley::test {

using namespace std::chrono_literals;

inline const char* goforward_path = "/usr/share/pocketsphinx/test/data/goforward.raw";

// goforward.raw followed by `silence` of digital silence, as Opus packets.
inline std::vector<client::bytes> goforward_packets(std::chrono::milliseconds silence = 1000ms) {
  auto packets = client::encode_speech(client::read_raw16(goforward_path));
  for (auto i = 0; i < silence.count() / 20; ++i) packets.push_back(client::silence_packet());
  return packets;
}

// Connects and completes hello/ready. The limits are generous: under the
// sanitizers, with another suite on the same two cores, a handshake has
// been seen to take seconds.
inline std::unique_ptr<client::voice_connection> joined(client::client_pool& pool,
                                                        const std::string& url) {
  const auto t0 = client::clock::now();
  auto c = pool.connect(url);
  BOOST_REQUIRE_MESSAGE(c->wait_open(20s),
                        "no WebSocket after "
                            << std::chrono::duration_cast<std::chrono::milliseconds>(
                                   client::clock::now() - t0)
                                   .count()
                            << " ms: " << c->http_status() << " " << c->refusal()
                            << (c->closed() ? " (closed)" : ""));
  const auto took = client::clock::now() - t0;
  if (took > 2s)
    BOOST_TEST_MESSAGE("slow WebSocket handshake: "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                       << " ms");
  c->send_hello();
  BOOST_REQUIRE(c->wait_for("ready", 10s));
  return c;
}

// Keeps a live client's microphone going (silence) until `done` holds;
// false at the limit or once the server has closed the connection. (`done`
// runs under the connection's lock: it must not call the connection.)
inline bool keep_talking_until(
    client::voice_connection& c,
    const std::function<bool(const std::vector<client::event>&, std::size_t)>& done,
    std::chrono::milliseconds limit) {
  const auto end = client::clock::now() + limit;
  auto next = client::clock::now();
  while (client::clock::now() < end) {
    if (c.wait_until(done, std::chrono::duration_cast<std::chrono::milliseconds>(
                               next - client::clock::now())))
      return true;
    if (c.closed()) return c.wait_until(done, 0ms);
    c.send_opus(client::silence_packet());
    next += 20ms;
  }
  return false;
}

inline bool has(const std::vector<client::event>& evs, const std::string& type) {
  for (const auto& e : evs)
    if (e.type() == type) return true;
  return false;
}

}  // namespace parley::test
