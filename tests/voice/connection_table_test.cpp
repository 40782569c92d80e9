// The listener's table of connections: what waits for an actor, and the
// DTX silence it keeps back from a quiet person's actor, counted, in its
// place among the messages that do cross.

#include "actors/transport/websocket/connection_table.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <string>
#include <vector>

#include "messages/voice.hpp"

using namespace parley;
using namespace parley::messages;
using namespace std::chrono_literals;

namespace {

struct table_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor actor{sys};  // the connection's actor
  transport::connection_table table;
  const std::string dtx = std::string("\x08", 1);

  table_fixture() {
    table.opened(1, "127.0.0.1");
    BOOST_REQUIRE(table.started(1, caf::actor_cast<caf::actor>(actor)));
  }

  // What reached the actor, in order: "binary:<size>", "silence:<n>" or "text:<payload>".
  std::vector<std::string> received(std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i)
      actor->receive(
          [&](ws_binary_atom, const std::string& p) {
            out.push_back("binary:" + std::to_string(p.size()));
          },
          [&](ws_silence_atom, std::uint64_t k) { out.push_back("silence:" + std::to_string(k)); },
          [&](ws_text_atom, const std::string& p) { out.push_back("text:" + p); },
          caf::after(10s) >> [] { BOOST_FAIL("nothing reached the actor"); });
    return out;
  }

  bool nothing_more() {
    bool none = true;
    actor->receive([&](caf::message&) { none = false; }, caf::after(50ms) >> [] {});
    return none;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(connection_table_silence, table_fixture)

BOOST_AUTO_TEST_CASE(silence_crosses_one_by_one_until_the_actor_says_keep_it) {
  table.deliver(1, dtx, true);
  BOOST_CHECK((received(1) == std::vector<std::string>{"binary:1"}));
}

BOOST_AUTO_TEST_CASE(kept_silence_is_counted_in_its_place_before_the_next_message) {
  table.keep_silence(1, true);
  for (int i = 0; i < 50; ++i) table.deliver(1, dtx, true);
  BOOST_CHECK(nothing_more());
  table.deliver(1, std::string(40, 'x'), true);  // speech: it crosses, after the count
  table.deliver(1, dtx, true);
  table.deliver(1, R"({"type":"text"})", false);
  BOOST_CHECK((received(3) == std::vector<std::string>{"silence:50", "binary:40", "silence:1"}));
  BOOST_CHECK((received(1) == std::vector<std::string>{R"(text:{"type":"text"})"}));
}

BOOST_AUTO_TEST_CASE(turning_it_off_hands_the_count_over_at_once) {
  table.keep_silence(1, true);
  for (int i = 0; i < 3; ++i) table.deliver(1, dtx, true);
  table.keep_silence(1, false);
  BOOST_CHECK((received(1) == std::vector<std::string>{"silence:3"}));
  table.deliver(1, dtx, true);  // the person speaks: silence crosses again
  BOOST_CHECK((received(1) == std::vector<std::string>{"binary:1"}));
  table.keep_silence(1, false);  // nothing kept, nothing sent
  BOOST_CHECK(nothing_more());
}

BOOST_AUTO_TEST_CASE(empty_and_larger_packets_are_not_silence) {
  table.keep_silence(1, true);
  table.deliver(1, std::string(), true);
  table.deliver(1, std::string(3, 'x'), true);
  BOOST_CHECK((received(2) == std::vector<std::string>{"binary:0", "binary:3"}));
}

BOOST_AUTO_TEST_CASE(an_ended_actor_gets_nothing_kept_or_sent) {
  table.keep_silence(1, true);
  table.deliver(1, dtx, true);
  table.ended(1);
  table.keep_silence(1, false);
  table.deliver(1, std::string(40, 'x'), true);
  BOOST_CHECK(nothing_more());
}

BOOST_AUTO_TEST_SUITE_END()
