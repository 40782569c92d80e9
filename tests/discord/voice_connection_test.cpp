// Parley's Discord voice connection against the fake Discord voice server
// (tests/fakes/discord, itself checked against @discordjs/voice), which
// requires DAVE as Discord does: its speakers are @snazzah/davey members
// of the call's MLS group, the fake's voice gateway its external sender.
// A whole parleyd core runs in the process, the connection in its tree. A
// user speaks end-to-end encrypted Opus; the reply comes back encrypted for
// the group (the fake's davey members decrypt every frame), paced, with
// speaking on and trailing silence. Parley's commit welcomes a davey
// member and a davey member's commit welcomes Parley; epochs advance as
// people join and leave, a member leaving mid-reply does not stop the
// reply, tampered frames are refused and counted, a bad Welcome is
// reported and recovered from. A dropped voice WebSocket resumes with
// seq_ack; a killed connection actor comes back, keeps its group, and the
// next turn is answered. A flood from one speaker is dropped and counted
// while another is still heard.

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "actors/transport/discord/voice_connection.hpp"
#include "messages/supervision.hpp"
#include "tests/support/app_fixture.hpp"
#include "tests/support/child_process.hpp"
#include "tests/voice/voice_test_util.hpp"

using namespace parley;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const std::string source_dir =
    std::getenv("PARLEY_SOURCE_DIR") ? std::getenv("PARLEY_SOURCE_DIR") : std::string(".");
const std::string fake_dir = source_dir + "/tests/fakes/discord";

// A throwaway certificate for 127.0.0.1: the voice gateway is wss:// only.
struct tls_files {
  std::filesystem::path dir;
  tls_files() {
    char tmpl[] = "/tmp/parley-discord-XXXXXX";
    dir = mkdtemp(tmpl);
    const auto cmd = fake_dir + "/make_cert.sh " + dir.string();
    BOOST_REQUIRE_EQUAL(std::system(cmd.c_str()), 0);
  }
  ~tls_files() { std::filesystem::remove_all(dir); }
  std::string key() const { return (dir / "key.pem").string(); }
  std::string cert() const { return (dir / "cert.pem").string(); }
};

// "go forward ten meters" and some silence, as the fake reads frames.
const auto utterance = test::goforward_packets(300ms);

std::string utterance_file(const std::filesystem::path& dir) {
  const auto path = (dir / "goforward.frames").string();
  std::ofstream out(path, std::ios::binary);
  for (const auto& p : utterance) {
    out.put(static_cast<char>(p.size() >> 8));
    out.put(static_cast<char>(p.size() & 0xFF));
    out.write(reinterpret_cast<const char*>(p.data()), static_cast<std::streamsize>(p.size()));
  }
  return path;
}

// Discord ids are snowflakes: DAVE carries them as 64-bit numbers.
const std::string guild = "1000000000000000001";
const std::string bot = "1000000000000000002";
const std::string ann = "1000000000000000011";
const std::string bob = "1000000000000000012";
const std::string flooder = "1000000000000000013";

struct discord_fixture : test::app_fixture {
  tls_files tls;
  std::string frames = utterance_file(tls.dir);
  std::unique_ptr<test::child_process> fake;
  std::string endpoint, channel;
  std::shared_ptr<discord::voice_counters> counters = std::make_shared<discord::voice_counters>();
  prometheus::Registry registry;
  discord::discord_metrics metrics{registry};

  discord_fixture() {
    BOOST_REQUIRE_EQUAL(std::system((fake_dir + "/npm_install.sh").c_str()), 0);
    fake = std::make_unique<test::child_process>(
        std::vector<std::string>{"node", fake_dir + "/fake_discord.mjs"},
        std::map<std::string, std::string>{{"FAKE_DISCORD_KEY", tls.key()},
                                           {"FAKE_DISCORD_CERT", tls.cert()}});
    const auto listening = fake->wait_event("listening", 20s);
    BOOST_REQUIRE(!listening.is_null());
    endpoint = listening["voice_endpoint"];
    channel = listening["channel_id"];
  }

  json ask(const std::string& cmd) {
    const auto from = fake->count();
    fake->send({{"cmd", cmd}});
    auto answer = fake->wait_event(cmd, 20s, from);
    BOOST_REQUIRE(!answer.is_null());
    return answer;
  }

  // Every frame Parley sent was end-to-end encrypted and every one the
  // fake's DAVE members could check decrypted; nothing the gateway refused;
  // Parley's view of the group is the gateway's.
  void check_end_to_end() {
    const auto stats = ask("stats");
    BOOST_CHECK_EQUAL(stats["daveDecryptFailures"], 0);
    BOOST_CHECK_EQUAL(stats["daveUnencrypted"], 0);
    BOOST_CHECK_GT(stats["daveDecrypted"].get<int>(), 0);
    const auto dave = ask("dave");
    BOOST_CHECK_EQUAL(dave["keyPackagesRefused"], 0);
    BOOST_CHECK_EQUAL(dave["commitsRefused"], 0);
    const auto mine = counters->dave();
    BOOST_CHECK_EQUAL(mine.protocol_version, 1);
    BOOST_REQUIRE(mine.epoch);
    BOOST_CHECK_EQUAL(*mine.epoch, dave["epoch"].get<std::uint64_t>());
    BOOST_CHECK_EQUAL(mine.privacy_code.size(), 30U);
  }

  // The user joins the call without speaking; once the group is quiet.
  void join(const std::string& user, std::uint32_t ssrc) {
    const auto from = fake->count();
    fake->send({{"cmd", "join"}, {"user", user}, {"ssrc", ssrc}});
    BOOST_REQUIRE(!fake->wait_event("joined", 30s, from).is_null());
  }

  // The guild's voice connection, started in the tree as the Discord
  // supervisor starts it; its registry id.
  runtime::actor_id start_connection() {
    discord::voice_connection_settings s;
    s.memory = std::make_shared<discord::voice_memory>(
        discord::voice_join{guild, channel, bot, "sess-1", "voice-token", endpoint});
    s.ca_file = tls.cert();
    s.tree = app.root();
    s.counters = counters;
    s.metrics = &metrics;
    caf::scoped_actor self{app.system()};
    runtime::actor_id id = 0;
    self->request(app.root(), 10s, messages::start_child_atom::value,
                  discord::voice_connection_spec(s))
        .receive([&](runtime::actor_id x) { id = x; },
                 [&](caf::error& e) { BOOST_FAIL("not started: " << caf::to_string(e)); });
    return id;
  }

  // Speaks the utterance as `user` and waits until the reply has been
  // heard in full: speaking on, audio, speaking off. The reply frames that
  // were not silence.
  int speak_and_hear_reply(const std::string& user, std::uint32_t ssrc, bool swap = false,
                           std::vector<int> lose = {}, std::vector<int> tamper = {},
                           const std::function<void()>& while_replying = {}) {
    const auto from = fake->count();
    fake->send({{"cmd", "speak"},
                {"user", user},
                {"ssrc", ssrc},
                {"frames_file", frames},
                {"swap_pairs", swap},
                {"lose", lose},
                {"tamper", tamper}});
    const auto on = fake->wait_for(
        [](const json& e) { return e["event"] == "speaking" && e["speaking"] == 1; }, 60s, from);
    BOOST_REQUIRE_MESSAGE(!on.is_null(), "the bot never started speaking");
    if (while_replying) while_replying();
    const auto off = fake->wait_for(
        [](const json& e) { return e["event"] == "speaking" && e["speaking"] == 0; }, 60s, from);
    BOOST_REQUIRE_MESSAGE(!off.is_null(), "the bot never stopped speaking");
    int spoken = 0, silent_tail = 0;
    const auto all = fake->snapshot();
    for (auto i = from; i < all.size(); ++i) {
      const auto& e = all[i];
      if (e["event"] != "audio") continue;
      if (e["silence"] == true) {
        ++silent_tail;
      } else {
        ++spoken;
        silent_tail = 0;
      }
    }
    BOOST_CHECK_GE(silent_tail, 5);  // the trailing silence Discord asks for
    return spoken;
  }

  double metric(const std::string& name) {
    const auto body = test::get(url("/metrics")).body;
    const auto at = body.find("\n" + name + " ");
    return at == std::string::npos ? -1 : std::stod(body.substr(at + name.size() + 2));
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(discord_voice_connection, discord_fixture)

BOOST_AUTO_TEST_CASE(a_user_speaks_and_hears_the_answer_end_to_end_encrypted) {
  start_connection();
  BOOST_REQUIRE(!fake->wait_event("voice_ready", 20s).is_null());
  // Parley is in the call first: its commit welcomes the davey member.
  const int frames = speak_and_hear_reply(ann, 4242, true, {7});
  BOOST_CHECK_GT(frames, 25);  // half a second of speech at least
  BOOST_CHECK_EQUAL(metric("parley_turns_total"), 1);
  BOOST_CHECK_EQUAL(counters->decrypt_failures, 0U);
  BOOST_CHECK_GE(counters->lost, 1U);  // the packet the fake lost (a late one may add to it)
  BOOST_CHECK_GT(counters->packets_out, static_cast<std::uint64_t>(frames));
  check_end_to_end();
  BOOST_CHECK_GE(ask("dave")["commitsAccepted"].get<int>(), 1);
  BOOST_CHECK_EQUAL(metrics.dave_invalid.Value(), 0);
  BOOST_CHECK_GE(metrics.dave_transitions.Value(), 1);
}

BOOST_AUTO_TEST_CASE(a_davey_members_commit_welcomes_parley) {
  join(ann, 4242);  // ann and bob's group is the call's group
  join(bob, 4343);
  start_connection();
  BOOST_REQUIRE(!fake->wait_event("voice_ready", 20s).is_null());
  BOOST_CHECK_GT(speak_and_hear_reply(ann, 4242), 25);
  check_end_to_end();
  const auto dave = ask("dave");
  BOOST_CHECK_EQUAL(dave["members"].size(), 3U);
  for (const auto& sp : dave["speakers"])
    BOOST_CHECK_EQUAL(sp["privacy_code"], counters->dave().privacy_code);
}

BOOST_AUTO_TEST_CASE(a_member_leaving_mid_reply_does_not_stop_the_reply_for_the_others) {
  start_connection();
  BOOST_REQUIRE(!fake->wait_event("voice_ready", 20s).is_null());
  join(bob, 4343);
  const auto epoch_before = counters->dave().epoch;
  BOOST_REQUIRE(epoch_before);
  const int frames = speak_and_hear_reply(ann, 4242, false, {}, {}, [&] {
    fake->send({{"cmd", "leave"}, {"user", bob}});
  });
  BOOST_CHECK_GT(frames, 25);
  check_end_to_end();
  BOOST_CHECK_GT(*counters->dave().epoch, *epoch_before);
  BOOST_CHECK_EQUAL(counters->dave().members, 2U);
}

BOOST_AUTO_TEST_CASE(tampered_frames_are_refused_and_counted_and_the_turn_still_answered) {
  start_connection();
  BOOST_REQUIRE(!fake->wait_event("voice_ready", 20s).is_null());
  BOOST_CHECK_GT(speak_and_hear_reply(ann, 4242, false, {}, {3, 9}), 25);
  BOOST_CHECK_EQUAL(counters->decrypt_failures, 2U);
  BOOST_CHECK_EQUAL(metrics.decrypt_failures.Value(), 2);
  check_end_to_end();
}

BOOST_AUTO_TEST_CASE(a_bad_welcome_is_reported_and_parley_joins_again) {
  // Two members first, so the call's group exists and Parley can only be
  // welcomed into it; with one, Parley's own commit may win the race and no
  // Welcome is ever sent to it.
  join(ann, 4242);
  join(bob, 4343);
  fake->send({{"cmd", "sabotage"}, {"what", "welcome"}, {"user", bot}});
  start_connection();
  BOOST_REQUIRE(!fake->wait_event("voice_ready", 20s).is_null());
  BOOST_REQUIRE(!fake->wait_event("dave_invalid_commit_welcome", 20s).is_null());
  BOOST_CHECK_GT(speak_and_hear_reply(ann, 4242), 25);
  check_end_to_end();
  BOOST_CHECK_EQUAL(metrics.dave_invalid.Value(), 1);
}

BOOST_AUTO_TEST_CASE(a_dropped_voice_connection_resumes_with_seq_ack) {
  start_connection();
  const auto ready = fake->wait_event("voice_ready", 20s);
  BOOST_REQUIRE(!ready.is_null());
  const auto from = fake->count();
  fake->send({{"cmd", "drop"}});
  const auto resumed = fake->wait_event("voice_resumed", 20s, from);
  BOOST_REQUIRE(!resumed.is_null());
  BOOST_CHECK_GE(resumed["seq_ack"].get<int>(), 2);  // ready and session description at least
  BOOST_CHECK_EQUAL(counters->identifies, 1U);
  BOOST_CHECK_GT(speak_and_hear_reply(ann, 4242), 25);
  check_end_to_end();
}

BOOST_AUTO_TEST_CASE(a_killed_connection_actor_resumes_keeps_its_group_and_answers) {
  const auto id = start_connection();
  BOOST_REQUIRE(!fake->wait_event("voice_ready", 20s).is_null());
  join(ann, 4242);
  const auto epoch = counters->dave().epoch;
  BOOST_REQUIRE(epoch);
  const auto from = fake->count();
  BOOST_REQUIRE_EQUAL(kill(id).status, 202);
  BOOST_REQUIRE(!fake->wait_event("voice_resumed", 20s, from).is_null());
  BOOST_CHECK_EQUAL(counters->identifies, 1U);
  BOOST_CHECK_GT(speak_and_hear_reply(ann, 4242), 25);
  BOOST_CHECK_EQUAL(metric("parley_turns_total"), 1);
  check_end_to_end();
  BOOST_CHECK_EQUAL(*counters->dave().epoch, *epoch);  // the same group, not a new one
}

BOOST_AUTO_TEST_CASE(a_flood_from_one_speaker_is_dropped_and_counted_and_others_still_heard) {
  start_connection();
  BOOST_REQUIRE(!fake->wait_event("voice_ready", 20s).is_null());
  BOOST_CHECK_GT(speak_and_hear_reply(flooder, 666), 25);  // a speaker like any other
  const auto from = fake->count();
  const auto in_before = counters->packets_in.load();
  const auto sent = 8 * utterance.size();
  fake->send(
      {{"cmd", "speak"}, {"user", flooder}, {"ssrc", 666}, {"frames_file", frames}, {"flood", 8}});
  // What got through under the limit is a turn of its own; once it is
  // answered, every packet of the flood has long been handled.
  BOOST_REQUIRE(
      !fake->wait_for([](const json& e) { return e["event"] == "speaking" && e["speaking"] == 0; },
                      60s, from)
           .is_null());
  // At most a burst of 100 and 75 a second get through: far fewer than were
  // sent at once (how many exactly depends on how fast they were handled).
  const auto accepted = counters->packets_in.load() - in_before;
  BOOST_TEST_MESSAGE("flood: " << sent << " sent, " << accepted << " taken, "
                               << counters->flooded.load() << " dropped");
  BOOST_CHECK_GT(counters->flooded.load(), 0U);
  BOOST_CHECK_LT(accepted, sent / 2);
  BOOST_CHECK_LE(accepted + counters->flooded.load(), sent);
  BOOST_CHECK_GT(metric("parley_turns_total"), 1);
  BOOST_CHECK_GT(speak_and_hear_reply(ann, 4242), 25);
}

BOOST_AUTO_TEST_SUITE_END()
