#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <map>

#include "runtime/common/cores.hpp"
#include "runtime/server/config.hpp"
#include "tests/runtime/config_env.hpp"

using namespace parley::runtime;

using parley::test::has_error;
using parley::test::load;

BOOST_AUTO_TEST_SUITE(config_loading)

BOOST_AUTO_TEST_CASE(defaults_are_the_documented_ones) {
  auto r = load({});
  BOOST_REQUIRE(r.errors.empty());
  BOOST_CHECK(r.value.env == environment::dev);
  BOOST_CHECK_EQUAL(r.value.voice_addr.to_string(), "0.0.0.0:8080");
  BOOST_CHECK_EQUAL(r.value.ops_addr.to_string(), "127.0.0.1:9090");
  BOOST_CHECK(!r.value.chaos);
  BOOST_CHECK(r.value.level == log_level::debug);
}

BOOST_AUTO_TEST_CASE(speech_decoders_follow_the_usable_cores_unless_set) {
  const auto cores = std::min<std::size_t>(usable_cores(), 8);
  BOOST_CHECK_EQUAL(load({}).value.stt_decoders, cores);
  BOOST_CHECK_EQUAL(load({{"PARLEY_STT_DECODERS", "0"}}).value.stt_decoders, cores);
  BOOST_CHECK_EQUAL(load({{"PARLEY_STT_DECODERS", "3"}}).value.stt_decoders, 3u);
  BOOST_CHECK(has_error(load({{"PARLEY_STT_DECODERS", "65"}}), "PARLEY_STT_DECODERS=\"65\""));
}

BOOST_AUTO_TEST_CASE(memory_is_trimmed_every_ten_seconds_unless_set) {
  BOOST_CHECK(load({}).value.memory_trim == std::chrono::seconds(10));
  BOOST_CHECK(load({{"PARLEY_MEMORY_TRIM_SECONDS", "0"}}).value.memory_trim.count() == 0);
  BOOST_CHECK(
      has_error(load({{"PARLEY_MEMORY_TRIM_SECONDS", "-1"}}), "PARLEY_MEMORY_TRIM_SECONDS"));
}

BOOST_AUTO_TEST_CASE(presets_follow_the_environment) {
  auto r = load({{"PARLEY_ENV", "prod"}});
  BOOST_REQUIRE(r.errors.empty());
  BOOST_CHECK(r.value.level == log_level::info);
  BOOST_CHECK_EQUAL(r.value.max_sessions, 1000u);
  auto o = load({{"PARLEY_ENV", "staging"}, {"PARLEY_LOG_LEVEL", "warn"}});
  BOOST_CHECK(o.value.level == log_level::warn);
}

BOOST_AUTO_TEST_CASE(every_bad_value_gets_its_own_message) {
  auto r = load({{"PARLEY_ENV", "production"},
                 {"PARLEY_VOICE_ADDR", "8080"},
                 {"PARLEY_OPS_ADDR", "127.0.0.1:99999"},
                 {"PARLEY_CHAOS", "yes"},
                 {"PARLEY_LOG_LEVEL", "loud"},
                 {"PARLEY_MAX_SESSIONS", "-3"},
                 {"PARLEY_DRAIN_SECONDS", "ten"}});
  BOOST_CHECK_EQUAL(r.errors.size(), 7u);
  BOOST_CHECK(has_error(r, "PARLEY_ENV=\"production\" is invalid: expected dev, staging or prod"));
  BOOST_CHECK(has_error(r, "PARLEY_VOICE_ADDR=\"8080\""));
  BOOST_CHECK(has_error(r, "PARLEY_OPS_ADDR=\"127.0.0.1:99999\""));
  BOOST_CHECK(has_error(r, "PARLEY_CHAOS=\"yes\""));
  BOOST_CHECK(has_error(r, "PARLEY_LOG_LEVEL=\"loud\""));
  BOOST_CHECK(has_error(r, "PARLEY_MAX_SESSIONS=\"-3\""));
  BOOST_CHECK(has_error(r, "PARLEY_DRAIN_SECONDS=\"ten\""));
}

BOOST_AUTO_TEST_CASE(chaos_is_refused_in_prod_and_needs_a_token) {
  BOOST_CHECK(has_error(
      load({{"PARLEY_ENV", "prod"}, {"PARLEY_CHAOS", "1"}, {"PARLEY_OPS_TOKEN", "abcdef"}}),
      "refused when PARLEY_ENV=prod"));
  BOOST_CHECK(has_error(load({{"PARLEY_CHAOS", "1"}}), "needs PARLEY_OPS_TOKEN"));
  auto ok = load({{"PARLEY_CHAOS", "1"}, {"PARLEY_OPS_TOKEN", "abcdef"}});
  BOOST_CHECK(ok.errors.empty());
  BOOST_CHECK(ok.value.chaos);
}

BOOST_AUTO_TEST_CASE(remote_stt_settings_and_their_limits) {
  auto d = load({});
  BOOST_CHECK_EQUAL(d.value.stt_url, "https://api.openai.com/v1");
  BOOST_CHECK_EQUAL(d.value.stt_model, "whisper-1");
  BOOST_CHECK_EQUAL(d.value.stt_timeout.count(), 3000);
  auto r = load({{"PARLEY_STT", "openai"},
                 {"PARLEY_STT_URL", "http://127.0.0.1:8081/v1"},
                 {"PARLEY_STT_KEY", "sk-stt"},
                 {"PARLEY_STT_MODEL", "base.en"},
                 {"PARLEY_STT_LANGUAGE", "en"},
                 {"PARLEY_STT_TIMEOUT_MS", "2500"}});
  BOOST_REQUIRE(r.errors.empty());
  BOOST_CHECK_EQUAL(r.value.stt, "openai");
  BOOST_CHECK_EQUAL(r.value.stt_url, "http://127.0.0.1:8081/v1");
  BOOST_CHECK_EQUAL(r.value.stt_key, "sk-stt");
  BOOST_CHECK_EQUAL(r.value.stt_model, "base.en");
  BOOST_CHECK_EQUAL(r.value.stt_language, "en");
  BOOST_CHECK_EQUAL(r.value.stt_timeout.count(), 2500);
  BOOST_CHECK(has_error(load({{"PARLEY_STT_URL", "api.openai.com/v1"}}), "PARLEY_STT_URL"));
  // The pocketsphinx fallback must still fit the STT watchdog after the remote call gives up.
  BOOST_CHECK(has_error(load({{"PARLEY_STT", "openai"},
                              {"PARLEY_STT_TIMEOUT_MS", "5000"},
                              {"PARLEY_STT_DEADLINE_MS", "5000"}}),
                        "less than PARLEY_STT_DEADLINE_MS"));
}

BOOST_AUTO_TEST_CASE(addresses_parse_hosts_ports_and_ipv6) {
  auto ep = parse_endpoint("[::1]:9090");
  BOOST_REQUIRE(ep);
  BOOST_CHECK_EQUAL(ep->host, "::1");
  BOOST_CHECK_EQUAL(ep->port, 9090);
  BOOST_CHECK(parse_endpoint("localhost:0"));
  BOOST_CHECK(!parse_endpoint(":80"));
  BOOST_CHECK(!parse_endpoint("host:"));
  BOOST_CHECK(!parse_endpoint("host:8o"));
}

BOOST_AUTO_TEST_CASE(help_lists_every_variable_with_its_default) {
  const auto help = config_help();
  for (const char* v : {"PARLEY_ENV", "PARLEY_VOICE_ADDR", "PARLEY_OPS_ADDR", "PARLEY_OPS_TOKEN",
                        "PARLEY_CHAOS", "PARLEY_LOG_LEVEL", "PARLEY_MAX_SESSIONS"})
    BOOST_CHECK_MESSAGE(help.find(v) != std::string::npos, v);
  BOOST_CHECK(help.find("default: 0.0.0.0:8080") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
