// voice_client with its socket and its room played by the test: the
// protocol's states (hello first), the join through the tree, frames kept
// until the session is done with them and replayed to a new stream, events
// and reply audio out, and a leave when the socket closes.

#include "actors/transport/websocket/voice_client.hpp"

#include <prometheus/registry.h>
#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>

#include "actors/session/voice_metrics.hpp"
#include "messages/session_events.hpp"
#include "messages/supervision.hpp"
#include "messages/transport.hpp"
#include "messages/voice.hpp"

using namespace parley;
using namespace parley::messages;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// The socket as the client's actor sees it: what it was told to send.
class recorded_io final : public transport::connection_io {
 public:
  void send_text(transport::connection_id, const std::string& p) override {
    add([&] { texts.push_back(json::parse(p)); });
  }
  void send_binary(transport::connection_id, const std::string& p) override {
    add([&] { binaries.push_back(p); });
  }
  void close(transport::connection_id, std::uint16_t code, const std::string&) override {
    add([&] { close_code = code; });
  }
  // What the client told the listener about keeping its silence back.
  void keep_silence(bool on) {
    add([&] { keeps.push_back(on); });
  }
  // Waits until `done` holds (under the lock); false after 10 s.
  bool wait(const std::function<bool()>& done) {
    std::unique_lock<std::mutex> l(mutex);
    return changed.wait_for(l, 10s, done);
  }
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<json> texts;
  std::vector<std::string> binaries;
  std::vector<bool> keeps;
  int close_code = 0;

 private:
  template <class F>
  void add(F f) {
    {
      std::lock_guard<std::mutex> g(mutex);
      f();
    }
    changed.notify_all();
  }
};

struct client_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor gateway{sys};  // the client's supervisor, and the way to the sessions
  caf::scoped_actor sessions{sys};
  caf::scoped_actor session{sys};
  caf::scoped_actor stream{sys};
  prometheus::Registry registry;
  session::voice_metrics stats{registry};
  std::shared_ptr<recorded_io> io = std::make_shared<recorded_io>();
  caf::actor client;

  client_fixture() {
    transport::client_settings s{
        7, "g", "alice", io, caf::actor_cast<caf::actor>(gateway), &stats, 10s, [io = io](bool on) {
          io->keep_silence(on);
        }};
    runtime::child_context ctx{4, caf::actor_cast<caf::actor>(gateway), nullptr,
                               std::make_shared<runtime::cancel_token>()};
    client = transport::voice_client_spec(s).start(gateway.ptr(), ctx);
    gateway->receive([](ready_atom, runtime::actor_id) {},
                     caf::after(10s) >> [] { BOOST_FAIL("the client never said it was ready"); });
  }
  ~client_fixture() { caf::anon_send_exit(client, caf::exit_reason::user_shutdown); }

  void hello() {
    gateway->send(client, ws_text_atom::value,
                  std::string(R"({"type":"hello","codec":"opus","sample_rate":48000,)"
                              R"("channels":1,"frame_ms":20})"));
  }

  // The room is found through the tree, and the session takes the member.
  void answer_join(const std::string& token) {
    gateway->receive(
        [&](find_child_atom, const std::string& name) {
          BOOST_CHECK_EQUAL(name, "sessions");
          return caf::actor_cast<caf::actor>(sessions);
        },
        caf::after(10s) >> [] { BOOST_FAIL("the client did not look for the sessions"); });
    sessions->receive(
        [&](find_or_start_atom, const std::string& guild) {
          BOOST_CHECK_EQUAL(guild, "g");
          return caf::actor_cast<caf::actor>(session);
        },
        caf::after(10s) >> [] { BOOST_FAIL("the client did not ask for its room"); });
    session->receive(
        [&](join_atom, const std::string& user, caf::actor&, const std::string&, std::uint64_t) {
          BOOST_CHECK_EQUAL(user, "alice");
          return token;
        },
        caf::after(10s) >> [] { BOOST_FAIL("the client did not join"); });
  }

  // Where the stream was told to move past kept silence to.
  std::uint64_t skip_at_stream() {
    std::uint64_t to = 0;
    stream->receive([&](skip_atom, std::uint64_t seq) { to = seq; },
                    caf::after(10s) >> [] { BOOST_FAIL("no skip reached the stream"); });
    return to;
  }

  std::vector<std::uint64_t> frames_at_stream(std::size_t n) {
    std::vector<std::uint64_t> seqs;
    for (std::size_t i = 0; i < n; ++i)
      stream->receive([&](audio_frame& f) { seqs.push_back(f.seq); },
                      caf::after(10s) >> [] { BOOST_FAIL("a frame did not reach the stream"); });
    return seqs;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(voice_client_actor, client_fixture)

BOOST_AUTO_TEST_CASE(audio_before_hello_closes_with_1008) {
  gateway->send(client, ws_binary_atom::value, std::string("\x01\x02", 2));
  BOOST_REQUIRE(io->wait([&] { return io->close_code != 0; }));
  BOOST_CHECK_EQUAL(io->close_code, 1008);
  BOOST_CHECK_EQUAL(io->texts.at(0)["code"], "protocol");
}

BOOST_AUTO_TEST_CASE(hello_joins_and_ready_carries_the_resume_token) {
  hello();
  answer_join("token-1");
  BOOST_REQUIRE(io->wait([&] { return !io->texts.empty(); }));
  BOOST_CHECK_EQUAL(io->texts[0]["type"], "ready");
  BOOST_CHECK_EQUAL(io->texts[0]["resume"], "token-1");
  hello();  // a second hello is an error, not a second join
  BOOST_REQUIRE(io->wait([&] { return io->texts.size() == 2; }));
  BOOST_CHECK_EQUAL(io->texts[1]["type"], "error");
  BOOST_CHECK_EQUAL(io->close_code, 0);
}

BOOST_AUTO_TEST_CASE(frames_wait_for_the_stream_and_are_replayed_until_done) {
  hello();
  answer_join("t");
  for (int i = 0; i < 3; ++i) gateway->send(client, ws_binary_atom::value, std::string("opus"));
  session->send(client, stream_atom::value, caf::actor_cast<caf::actor>(stream));
  BOOST_CHECK((frames_at_stream(3) == std::vector<std::uint64_t>{1, 2, 3}));
  session->send(client, frames_done{2});
  // The stream restarts: only what the session is not done with comes again.
  session->send(client, stream_atom::value, caf::actor_cast<caf::actor>(stream));
  BOOST_CHECK((frames_at_stream(1) == std::vector<std::uint64_t>{3}));
}

// Silence from a DTX encoder (one-byte packets) while the person is not
// speaking stays with the client: the stream hears of it as a skip, before
// the next frame or once the person's speech begins.
BOOST_AUTO_TEST_CASE(dtx_silence_is_kept_back_while_the_person_is_not_speaking) {
  const std::string dtx("\x08", 1);
  hello();
  answer_join("t");
  session->send(client, stream_atom::value, caf::actor_cast<caf::actor>(stream));
  for (int i = 0; i < 3; ++i) gateway->send(client, ws_binary_atom::value, dtx);
  gateway->send(client, ws_binary_atom::value, std::string("opus"));
  BOOST_CHECK_EQUAL(skip_at_stream(), 3u);
  BOOST_CHECK((frames_at_stream(1) == std::vector<std::uint64_t>{4}));
  // Silence that came before the news of the speech is told at the news.
  gateway->send(client, ws_binary_atom::value, dtx);
  session->send(client, events::speech_started("alice", 1));
  BOOST_CHECK_EQUAL(skip_at_stream(), 5u);
  // While the person speaks, silence is what ends the turn: it goes on.
  gateway->send(client, ws_binary_atom::value, dtx);
  BOOST_CHECK((frames_at_stream(1) == std::vector<std::uint64_t>{6}));
  // Someone else's speech changes nothing for this person.
  session->send(client, events::speech_ended("alice", 1));
  session->send(client, events::speech_started("bob", 2));
  gateway->send(client, ws_binary_atom::value, dtx);
  gateway->send(client, ws_binary_atom::value, std::string("opus"));
  BOOST_CHECK_EQUAL(skip_at_stream(), 7u);
  BOOST_CHECK((frames_at_stream(1) == std::vector<std::uint64_t>{8}));
}

// The listener keeps a quiet person's silence back once they are in the
// room, and lets it through while the core hears them speak (someone
// else's speech changes nothing).
BOOST_AUTO_TEST_CASE(the_listener_keeps_silence_back_only_while_the_person_is_quiet) {
  auto keeps = [&](std::size_t n) {
    BOOST_REQUIRE(io->wait([&] { return io->keeps.size() >= n; }));
    std::lock_guard<std::mutex> g(io->mutex);
    return io->keeps;
  };
  hello();
  answer_join("t");  // in the room: until then everything goes to the actor
  BOOST_CHECK((keeps(1) == std::vector<bool>{true}));
  session->send(client, events::speech_started("bob", 1));
  session->send(client, events::speech_started("alice", 2));
  BOOST_CHECK((keeps(2) == std::vector<bool>{true, false}));
  session->send(client, events::speech_ended("bob", 1));
  session->send(client, events::speech_ended("alice", 2));
  BOOST_CHECK((keeps(3) == std::vector<bool>{true, false, true}));
}

// Silence the listener kept back is numbered as if it had come: the
// stream hears of it as a skip before the next frame; while the person
// speaks it is told at once (it ends their turn).
BOOST_AUTO_TEST_CASE(silence_kept_by_the_listener_is_numbered_in_its_place) {
  hello();
  answer_join("t");
  session->send(client, stream_atom::value, caf::actor_cast<caf::actor>(stream));
  gateway->send(client, ws_silence_atom::value, std::uint64_t{50});
  gateway->send(client, ws_binary_atom::value, std::string("opus"));
  BOOST_CHECK_EQUAL(skip_at_stream(), 50u);
  BOOST_CHECK((frames_at_stream(1) == std::vector<std::uint64_t>{51}));
  session->send(client, events::speech_started("alice", 1));
  gateway->send(client, ws_silence_atom::value, std::uint64_t{4});
  BOOST_CHECK_EQUAL(skip_at_stream(), 55u);
  gateway->send(client, ws_binary_atom::value, std::string("opus"));
  BOOST_CHECK((frames_at_stream(1) == std::vector<std::uint64_t>{56}));
}

BOOST_AUTO_TEST_CASE(events_and_reply_audio_reach_the_socket) {
  hello();
  answer_join("t");
  session->send(client, events::speech_started("alice", 5));
  session->send(client, reply_audio{bytes{0xf8, 0xff, 0xfe}});
  BOOST_REQUIRE(io->wait([&] { return io->texts.size() == 2 && io->binaries.size() == 1; }));
  BOOST_CHECK_EQUAL(io->texts[1]["type"], "speech_started");
  BOOST_CHECK_EQUAL(io->texts[1]["turn"], 5);
  BOOST_CHECK_EQUAL(io->binaries[0], std::string("\xf8\xff\xfe", 3));
}

BOOST_AUTO_TEST_CASE(a_closed_socket_leaves_the_room) {
  hello();
  answer_join("t");
  session->monitor(client);
  gateway->send(client, ws_closed_atom::value);
  session->receive([](leave_atom, const std::string& user) { BOOST_CHECK_EQUAL(user, "alice"); },
                   caf::after(10s) >> [] { BOOST_FAIL("no leave"); });
  session->receive([](const caf::down_msg&) {},
                   caf::after(10s) >> [] { BOOST_FAIL("the client did not end"); });
}

BOOST_AUTO_TEST_SUITE_END()
