#pragma once
// A whole parleyd in the test process, on ephemeral ports.

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>

#include "runtime/server/application.hpp"
#include "tests/support/http_client.hpp"

namespace parley::test {

inline const std::string ops_token = "test-ops-token-0123456789";

inline runtime::config test_config(bool chaos) {
  runtime::config cfg;
  cfg.ops_addr = {"127.0.0.1", 0};
  cfg.voice_addr = {"127.0.0.1", 0};
  cfg.chaos = chaos;
  cfg.ops_token = ops_token;
  cfg.level = runtime::log_level::warn;
  cfg.stt_decoders = 1;
  return cfg;
}

struct app_fixture {
  runtime::application app;
  explicit app_fixture(bool chaos = true) : app_fixture(test_config(chaos)) {}
  explicit app_fixture(runtime::config cfg) : app(std::move(cfg)) {
    app.start();
    BOOST_REQUIRE(app.ready().wait_ready(std::chrono::seconds(10)));
  }
  std::string voice_url(const std::string& guild, const std::string& user) const {
    return "ws://127.0.0.1:" + std::to_string(app.voice_port()) + "/v1/voice?guild=" + guild +
           "&user=" + user;
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(app.ops_port()) + path;
  }
  http_result kill(std::uint64_t id, const std::string& token = ops_token) {
    std::vector<std::string> h;
    if (!token.empty()) h.push_back("Authorization: Bearer " + token);
    return http("POST", url("/actors/" + std::to_string(id) + "/kill"), h);
  }
};

}  // namespace parley::test
