#include "actors/agent/openai_agent.hpp"
#include "tests/fakes/openai/fake_openai_server.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using namespace parley::agent;
using parley::fakes::fake_openai_mode;
using parley::fakes::fake_openai_server;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

struct fixture {
  fake_openai_server fake;

  openai_config config(std::string key = {}) const {
    openai_config c;
    c.base_url = fake.base_url();
    c.model = "gpt-test";
    c.api_key = key.empty() ? fake.api_key() : key;
    c.system_prompt = "Be brief.";
    c.connect_timeout = 2000ms;
    c.total_timeout = 5000ms;
    return c;
  }
};

struct collector {
  std::vector<std::string> pieces;
  std::vector<steady::time_point> arrivals;
  std::size_t stop_after = 0;  // 0: never cancel

  text_sink sink() {
    return [this](std::string_view t) {
      pieces.emplace_back(t);
      arrivals.push_back(steady::now());
      return stop_after == 0 || pieces.size() < stop_after;
    };
  }
  std::string text() const {
    std::string out;
    for (const auto& p : pieces) out += p;
    return out;
  }
};

const agent_request request{"guild-1", "user-1", "what is the capital of france", {}, nullptr};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(openai_agent_suite, fixture)

BOOST_AUTO_TEST_CASE(streamed_pieces_arrive_in_order_as_they_are_sent) {
  fake.set_reply("Paris is the capital of France, and its café culture is famous.", 3);
  fake.set_chunk_delay(20ms);
  openai_agent agent(config());
  BOOST_TEST(agent.name() == "openai");
  collector got;
  const auto error = agent.respond(request, got.sink());
  BOOST_TEST(!error.has_value(), error.value_or(""));
  BOOST_TEST(got.pieces == fake.reply_pieces(), boost::test_tools::per_element());
  BOOST_TEST(got.text() == fake.reply());
  // Pieces reach on_text while the stream is still going, not all at the end: the fake waits
  // 20 ms between chunks, so arrivals spread over ~20 ms per piece (half of it is required, to
  // allow for a busy machine); a buffered reply would arrive all at once.
  BOOST_TEST_REQUIRE(got.pieces.size() > 10u);
  BOOST_TEST((got.arrivals.back() - got.arrivals.front() >= 10ms * (got.pieces.size() - 1)));
}

BOOST_AUTO_TEST_CASE(system_prompt_history_and_transcript_are_sent) {
  openai_agent agent(config());
  agent_request req = request;
  req.history = {{"user", "hello"}, {"assistant", "Hi, how can I help?"}};
  collector got;
  BOOST_TEST(!agent.respond(req, got.sink()).has_value());
  const auto body = nlohmann::json::parse(fake.last_request_body());
  BOOST_TEST(body.at("model") == "gpt-test");
  BOOST_TEST(body.at("stream") == true);
  const auto& messages = body.at("messages");
  BOOST_TEST_REQUIRE(messages.size() == 4u);
  const std::vector<std::pair<std::string, std::string>> expected{
      {"system", "Be brief."},
      {"user", "hello"},
      {"assistant", "Hi, how can I help?"},
      {"user", "what is the capital of france"}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    BOOST_TEST(messages[i].at("role").get<std::string>() == expected[i].first);
    BOOST_TEST(messages[i].at("content").get<std::string>() == expected[i].second);
  }
}

BOOST_AUTO_TEST_CASE(empty_system_prompt_is_left_out) {
  auto c = config();
  c.system_prompt.clear();
  openai_agent agent(c);
  collector got;
  BOOST_TEST(!agent.respond(request, got.sink()).has_value());
  const auto messages = nlohmann::json::parse(fake.last_request_body()).at("messages");
  BOOST_TEST_REQUIRE(messages.size() == 1u);
  BOOST_TEST(messages[0].at("role").get<std::string>() == "user");
}

BOOST_AUTO_TEST_CASE(wrong_key_is_a_401_error_that_does_not_show_the_key) {
  const std::string wrong_key = "sk-wrong-SECRET-key-4242";
  fake.set_echo_key_in_errors(true);  // a provider that quotes the key back
  openai_agent agent(config(wrong_key));
  collector got;
  const auto error = agent.respond(request, got.sink());
  BOOST_TEST_REQUIRE(error.has_value());
  BOOST_TEST_MESSAGE("401 error: " << *error);
  BOOST_TEST(error->find("401") != std::string::npos);
  BOOST_TEST(error->find("Incorrect API key provided") != std::string::npos);
  BOOST_TEST(error->find(wrong_key) == std::string::npos);
  BOOST_TEST(error->find("SECRET") == std::string::npos);
  BOOST_TEST(got.pieces.empty());
  BOOST_TEST(fake.request_count() == 1u);
}

BOOST_AUTO_TEST_CASE(server_error_is_reported) {
  fake.set_mode(fake_openai_mode::fail);
  openai_agent agent(config());
  collector got;
  const auto error = agent.respond(request, got.sink());
  BOOST_TEST_REQUIRE(error.has_value());
  BOOST_TEST_MESSAGE("500 error: " << *error);
  BOOST_TEST(error->find("500") != std::string::npos);
  BOOST_TEST(error->find("server had an error") != std::string::npos);
  BOOST_TEST(error->find(fake.api_key()) == std::string::npos);
  BOOST_TEST(got.pieces.empty());
}

BOOST_AUTO_TEST_CASE(a_hanging_server_times_out_within_the_deadline) {
  fake.set_mode(fake_openai_mode::hang);
  auto c = config();
  c.total_timeout = 400ms;
  openai_agent agent(c);
  collector got;
  const auto start = steady::now();
  const auto error = agent.respond(request, got.sink());
  const auto elapsed = steady::now() - start;
  BOOST_TEST_REQUIRE(error.has_value());
  BOOST_TEST_MESSAGE("timeout error after "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                     << " ms: " << *error);
  BOOST_TEST(error->find("timed out") != std::string::npos);
  BOOST_TEST((elapsed >= 400ms));
  BOOST_TEST((elapsed < 1400ms));
  BOOST_TEST(got.pieces.empty());
}

BOOST_AUTO_TEST_CASE(a_stream_that_stalls_times_out_after_its_first_piece) {
  fake.set_mode(fake_openai_mode::hang_mid_stream);
  auto c = config();
  c.total_timeout = 400ms;
  openai_agent agent(c);
  collector got;
  const auto start = steady::now();
  const auto error = agent.respond(request, got.sink());
  const auto elapsed = steady::now() - start;
  BOOST_TEST_REQUIRE(error.has_value());
  BOOST_TEST(error->find("timed out") != std::string::npos);
  BOOST_TEST((elapsed < 1400ms));
  BOOST_TEST(got.pieces == std::vector<std::string>{fake.reply_pieces().front()},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_stream_cut_short_is_an_error) {
  fake.set_mode(fake_openai_mode::end_mid_stream);
  openai_agent agent(config());
  collector got;
  const auto error = agent.respond(request, got.sink());
  BOOST_TEST_REQUIRE(error.has_value());
  BOOST_TEST(error->find("ended before it was complete") != std::string::npos);
  BOOST_TEST(got.pieces == std::vector<std::string>{fake.reply_pieces().front()},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_oversized_event_is_an_error_not_an_exception) {
  fake.set_reply(std::string(1200000, 'a'), 1200000);  // one event above the 1 MiB limit
  fake.set_chunk_delay(0ms);
  openai_agent agent(config());
  collector got;
  const auto error = agent.respond(request, got.sink());
  BOOST_TEST_REQUIRE(error.has_value());
  BOOST_TEST(error->find("invalid response") != std::string::npos);
  BOOST_TEST(got.pieces.empty());
}

BOOST_AUTO_TEST_CASE(cancel_stops_early) {
  fake.set_reply(std::string(200, 'a'), 2);  // 100 pieces
  fake.set_chunk_delay(10ms);                // at least a second for the whole stream
  openai_agent agent(config());
  collector got;
  got.stop_after = 3;
  const auto start = steady::now();
  const auto error = agent.respond(request, got.sink());
  const auto elapsed = steady::now() - start;
  BOOST_TEST(!error.has_value(), error.value_or(""));
  BOOST_TEST(got.pieces.size() == 3u);
  BOOST_TEST((elapsed < 500ms));
  // The agent is still usable after an aborted transfer.
  fake.set_reply("ok", 4);
  collector again;
  BOOST_TEST(!agent.respond(request, again.sink()).has_value());
  BOOST_TEST(again.text() == "ok");
}

BOOST_AUTO_TEST_CASE(exceptions_from_on_text_propagate) {
  openai_agent agent(config());
  const text_sink throwing = [](std::string_view) -> bool { throw std::runtime_error("sink"); };
  BOOST_CHECK_THROW(agent.respond(request, throwing), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(connections_are_reused_between_calls) {
  openai_agent agent(config());
  collector first;
  collector second;
  BOOST_TEST(!agent.respond(request, first.sink()).has_value());
  const int port = fake.last_remote_port();
  BOOST_TEST(!agent.respond(request, second.sink()).has_value());
  BOOST_TEST(fake.last_remote_port() == port);
  BOOST_TEST(second.text() == fake.reply());
}

BOOST_AUTO_TEST_CASE(unreachable_server_is_an_error) {
  std::string url;
  {
    fake_openai_server gone;
    url = gone.base_url();
  }
  auto c = config();
  c.base_url = url;
  c.api_key = "sk-unreachable-key";
  openai_agent agent(c);
  collector got;
  const auto error = agent.respond(request, got.sink());
  BOOST_TEST_REQUIRE(error.has_value());
  BOOST_TEST_MESSAGE("unreachable: " << *error);
  BOOST_TEST(error->find("failed") != std::string::npos);
  BOOST_TEST(error->find("sk-unreachable-key") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
