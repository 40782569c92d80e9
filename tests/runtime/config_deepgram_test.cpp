// PARLEY_STT=deepgram: its own defaults and URL scheme on the shared
// PARLEY_STT_* variables, and its endpointing.

#include <boost/test/unit_test.hpp>
#include <map>

#include "runtime/server/config.hpp"
#include "tests/runtime/config_env.hpp"

using namespace parley::runtime;

using parley::test::has_error;
using parley::test::load;

BOOST_AUTO_TEST_SUITE(config_deepgram)

BOOST_AUTO_TEST_CASE(deepgram_has_its_own_url_and_model_defaults) {
  auto r = load({{"PARLEY_STT", "deepgram"}, {"PARLEY_STT_KEY", "dg"}});
  BOOST_REQUIRE(r.errors.empty());
  BOOST_CHECK_EQUAL(r.value.stt_url, "wss://api.deepgram.com/v1");
  BOOST_CHECK_EQUAL(r.value.stt_model, "nova-3");
  BOOST_CHECK_EQUAL(r.value.stt_endpointing.count(), 300);
  BOOST_CHECK(r.value.stt_ca_file.empty());
  // The openai defaults are untouched.
  auto o = load({{"PARLEY_STT", "openai"}});
  BOOST_CHECK_EQUAL(o.value.stt_url, "https://api.openai.com/v1");
  BOOST_CHECK_EQUAL(o.value.stt_model, "whisper-1");
}

BOOST_AUTO_TEST_CASE(deepgram_takes_wss_and_openai_takes_http) {
  auto r = load({{"PARLEY_STT", "deepgram"},
                 {"PARLEY_STT_URL", "wss://127.0.0.1:8443/v1"},
                 {"PARLEY_STT_MODEL", "nova-2"},
                 {"PARLEY_STT_ENDPOINTING_MS", "150"},
                 {"PARLEY_STT_CA_FILE", "/tmp/ca.pem"}});
  BOOST_REQUIRE(r.errors.empty());
  BOOST_CHECK_EQUAL(r.value.stt_url, "wss://127.0.0.1:8443/v1");
  BOOST_CHECK_EQUAL(r.value.stt_model, "nova-2");
  BOOST_CHECK_EQUAL(r.value.stt_endpointing.count(), 150);
  BOOST_CHECK_EQUAL(r.value.stt_ca_file, "/tmp/ca.pem");
  BOOST_CHECK(has_error(
      load({{"PARLEY_STT", "deepgram"}, {"PARLEY_STT_URL", "https://api.deepgram.com/v1"}}),
      "a wss:// URL"));
  BOOST_CHECK(
      has_error(load({{"PARLEY_STT", "openai"}, {"PARLEY_STT_URL", "wss://api.openai.com/v1"}}),
                "an http:// or https:// URL"));
  BOOST_CHECK(has_error(load({{"PARLEY_STT", "deepgram"}, {"PARLEY_STT_ENDPOINTING_MS", "5"}}),
                        "PARLEY_STT_ENDPOINTING_MS"));
  // pocketsphinx must still answer in time after Deepgram gives up.
  BOOST_CHECK(has_error(load({{"PARLEY_STT", "deepgram"},
                              {"PARLEY_STT_TIMEOUT_MS", "5000"},
                              {"PARLEY_STT_DEADLINE_MS", "5000"}}),
                        "less than PARLEY_STT_DEADLINE_MS"));
}

BOOST_AUTO_TEST_SUITE_END()
