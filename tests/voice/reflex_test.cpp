// The reflex lane: a slow reply is preceded by a short acknowledgement,
// played whole before the reply and cut off with it by barge-in; a fast
// reply, or PARLEY_REFLEX=off, has none. Slowness is injected through the
// ops fault route (or a slow fake provider), and every check waits on events.

#include <boost/test/unit_test.hpp>
#include <map>

#include "actors/transport/websocket/client_events.hpp"
#include "actors/tts/null_tts_engine.hpp"
#include "actors/tts/reflex_clips.hpp"
#include "runtime/server/config.hpp"
#include "tests/fakes/openai/fake_openai_server.hpp"
#include "tests/support/app_fixture.hpp"
#include "tests/voice/voice_test_util.hpp"

using namespace parley;
using namespace std::chrono_literals;

namespace {

const std::string answer = "the answer is here";
// The command agent's help: two sentences, so a tts_job killed after the
// first is replaced to say the second.
const std::string help =
    "I can tell you the time, the date, or my status, and I can repeat what you say. "
    "Try: what time is it, what is the date, status, or repeat after me and your words.";

runtime::config_result config_of(std::map<std::string, std::string> env) {
  return runtime::load_config([env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
}

runtime::config reflex_config(bool on, std::chrono::milliseconds delay = 300ms) {
  auto c = test::test_config(true);
  c.reflex.on = on;
  c.reflex.delay = delay;
  return c;
}

std::int64_t turn_of(const client::event& e) {
  return e.body.value("turn", std::int64_t{-1});
}

// The events of `type` about `turn`.
std::vector<client::event> of(const std::vector<client::event>& evs, const std::string& type,
                              std::int64_t turn) {
  std::vector<client::event> out;
  for (const auto& e : evs)
    if (e.type() == type && turn_of(e) == turn) out.push_back(e);
  return out;
}

bool ended(const std::vector<client::event>& evs, std::int64_t turn) {
  return !of(evs, "audio_ended", turn).empty();
}

std::string reply_of(const std::vector<client::event>& evs, std::int64_t turn) {
  std::string text;
  for (const auto& e : of(evs, "reply", turn))
    if (!e.body["text"].get<std::string>().empty())
      text += (text.empty() ? "" : " ") + e.body["text"].get<std::string>();
  return text;
}

struct reflex_fixture : test::app_fixture {
  explicit reflex_fixture(runtime::config cfg = reflex_config(true))
      : app_fixture(std::move(cfg)) {}

  // The next call of `stage` is slow (1 s) or hangs (5 s).
  void fault(const std::string& stage, const std::string& kind) {
    const auto r = test::http("POST", url("/faults/" + stage + "/" + kind + "/1"),
                              {"Authorization: Bearer " + test::ops_token});
    BOOST_REQUIRE_EQUAL(r.status, 202);
  }

  // Asks by text (so the turn is 1 in a new guild) and waits for the reply's end.
  std::vector<client::event> ask_and_hear(client::voice_connection& c) {
    c.send_json({{"type", "text"}, {"text", "repeat after me " + answer}});
    BOOST_REQUIRE(c.wait_until([](auto& evs, std::size_t) { return ended(evs, 1); }, 30s));
    return c.events();
  }

  // The running actor of `kind` labelled `key`=`value` (its slot id).
  runtime::actor_id find(const std::string& kind, const std::string& key, const std::string& value,
                         runtime::actor_id parent = 0) {
    runtime::actor_id found = 0;
    BOOST_REQUIRE(app.registry().wait_until(
        [&](const std::vector<runtime::actor_info>& all) {
          for (const auto& a : all)
            if (a.kind == kind && a.tags.count(key) && a.tags.at(key) == value &&
                (parent == 0 || a.parent == parent) && a.state == runtime::actor_state::running) {
              found = a.id;
              return true;
            }
          return false;
        },
        10s));
    return found;
  }
};

// The reflex came first and whole, then the whole reply after the gap.
void check_reflex_then_reply(const std::vector<client::event>& evs,
                             const std::vector<client::audio_packet>& audio,
                             const std::string& reply = answer) {
  const auto reflexes = of(evs, "reflex", 1);
  BOOST_REQUIRE_EQUAL(reflexes.size(), 1u);
  const auto& r = reflexes.front();
  const auto frames = r.body.value("frames", std::size_t{0});
  BOOST_CHECK(!r.body.value("text", "").empty());
  BOOST_CHECK_GT(frames, 10u);
  BOOST_CHECK_EQUAL(r.audio_index, 0u);
  const auto started = of(evs, "audio_started", 1);
  const auto done = of(evs, "audio_ended", 1);
  BOOST_REQUIRE(started.size() == 1 && done.size() == 1);
  BOOST_CHECK_EQUAL(started.front().audio_index, frames);
  const auto reply_frames = done.front().audio_index - started.front().audio_index;
  BOOST_CHECK_EQUAL(done.front().body.value("frames", std::size_t{0}), reply_frames);
  BOOST_CHECK_GT(reply_frames, 25u);
  BOOST_CHECK_EQUAL(reply_of(evs, 1), reply);
  // A pause between them: the reflex's last frame, then the gap (200 ms).
  BOOST_REQUIRE_GT(audio.size(), frames);
  const auto pause = audio[frames].at - audio[frames - 1].at;
  BOOST_TEST_MESSAGE("reflex to reply: "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(pause).count()
                     << " ms");
  BOOST_CHECK(pause >= 150ms);
}

struct fast_reply_fixture : reflex_fixture {
  fast_reply_fixture() : reflex_fixture(reflex_config(true, 1500ms)) {}
};
struct reflex_off_fixture : reflex_fixture {
  reflex_off_fixture() : reflex_fixture(reflex_config(false)) {}
};

}  // namespace

BOOST_AUTO_TEST_SUITE(reflex_clips)

BOOST_AUTO_TEST_CASE(clips_are_opus_frames_of_each_phrase_and_take_turns_within_the_limit) {
  tts::null_tts_config shortish;
  shortish.duration = 410ms;  // 21 frames, the tail padded
  tts::null_engine engine(shortish);
  const auto clips = tts::reflex_clips::make(engine, {"Mm-hm.", "One moment."});
  BOOST_REQUIRE_EQUAL(clips->size(), 2u);
  std::size_t cursor = 0;
  const auto* a = clips->next(cursor, 1000ms);
  const auto* b = clips->next(cursor, 1000ms);
  const auto* c = clips->next(cursor, 1000ms);
  BOOST_REQUIRE(a && b && c);
  BOOST_CHECK_EQUAL(a->text, "Mm-hm.");
  BOOST_CHECK_EQUAL(b->text, "One moment.");
  BOOST_CHECK_EQUAL(c->text, "Mm-hm.");
  BOOST_CHECK_EQUAL(a->frames.size(), 21u);
  BOOST_CHECK(a->length() == 420ms);
  audio::opus_decoder dec;
  for (const auto& f : a->frames) BOOST_CHECK_EQUAL(dec.decode(f).pcm.size(), 960u);
  // Longer than allowed: not used.
  BOOST_CHECK(clips->next(cursor, 400ms) == nullptr);
}

BOOST_AUTO_TEST_CASE(a_phrase_the_engine_cannot_say_is_left_out) {
  struct failing : tts::tts_engine {
    std::string name() const override { return "failing"; }
    int sample_rate() const override { return 22050; }
    bool synthesize(const std::string& s,
                    const std::function<bool(const int16_t*, size_t)>& sink) override {
      if (s == "throws") throw std::runtime_error("provider down");
      const std::vector<std::int16_t> pcm(2205, 1000);  // 100 ms at a rate Opus does not take
      sink(pcm.data(), pcm.size());
      return s != "fails";
    }
  } engine;
  const auto clips = tts::reflex_clips::make(engine, {"throws", "fails", "works"});
  BOOST_REQUIRE_EQUAL(clips->size(), 1u);
  std::size_t cursor = 0;
  const auto* clip = clips->next(cursor, 1000ms);
  BOOST_REQUIRE(clip);
  BOOST_CHECK_EQUAL(clip->text, "works");
  // Resampled to 16 kHz: 100 ms, give or take the resampler's edge.
  BOOST_CHECK_GE(clip->frames.size(), 5u);
  BOOST_CHECK_LE(clip->frames.size(), 6u);
}

BOOST_AUTO_TEST_CASE(the_event_says_which_turn_what_and_how_many_frames) {
  BOOST_CHECK_EQUAL(
      nlohmann::json::parse(
          transport::encode_event(messages::events::reflex(3, "One moment.", 41))),
      nlohmann::json({{"type", "reflex"}, {"turn", 3}, {"text", "One moment."}, {"frames", 41}}));
}

BOOST_AUTO_TEST_CASE(auto_is_on_for_a_remote_agent_and_off_for_the_built_in_one) {
  BOOST_CHECK(!config_of({}).value.reflex.on);
  BOOST_CHECK(config_of({{"PARLEY_AGENT", "openai"}}).value.reflex.on);
  BOOST_CHECK(!config_of({{"PARLEY_AGENT", "echo"}}).value.reflex.on);
  BOOST_CHECK(config_of({{"PARLEY_REFLEX", "on"}}).value.reflex.on);
  BOOST_CHECK(!config_of({{"PARLEY_AGENT", "openai"}, {"PARLEY_REFLEX", "off"}}).value.reflex.on);
  const auto set = config_of({{"PARLEY_REFLEX_DELAY_MS", "450"},
                              {"PARLEY_REFLEX_MAX_MS", "900"},
                              {"PARLEY_REFLEX_GAP_MS", "0"}});
  BOOST_CHECK(set.errors.empty());
  BOOST_CHECK(set.value.reflex.delay == 450ms);
  BOOST_CHECK(set.value.reflex.longest == 900ms);
  BOOST_CHECK(set.value.reflex.gap == 0ms);
  BOOST_CHECK_EQUAL(config_of({{"PARLEY_REFLEX", "sometimes"}}).errors.size(), 1u);
  BOOST_CHECK_EQUAL(config_of({{"PARLEY_REFLEX_GAP_MS", "-1"}}).errors.size(), 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(reflex_lane, reflex_fixture)

BOOST_AUTO_TEST_CASE(a_slow_agent_is_preceded_by_a_reflex_then_the_whole_reply) {
  fault("agent", "slow");
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("x1", "ann"));
  const auto evs = ask_and_hear(*c);
  check_reflex_then_reply(evs, c->audio());
}

BOOST_AUTO_TEST_CASE(a_spoken_turn_gets_its_reflex_once_transcribed) {
  fault("agent", "slow");
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("x2", "ben"));
  client::stream_paced(*c, test::goforward_packets(), client::clock::now());
  BOOST_REQUIRE(test::keep_talking_until(
      *c, [](auto& evs, std::size_t) { return test::has(evs, "audio_ended"); }, 30s));
  const auto evs = c->events();
  const auto reflex = c->wait_for("reflex", 0ms);
  const auto said = c->wait_for("speech_ended", 0ms);
  const auto started = c->wait_for("audio_started", 0ms);
  BOOST_REQUIRE(reflex && said && started);
  BOOST_CHECK_EQUAL(turn_of(*reflex), turn_of(*said));
  BOOST_CHECK_EQUAL(reflex->audio_index, 0u);
  BOOST_CHECK_EQUAL(started->audio_index, reflex->body.value("frames", std::size_t{0}));
  // Never before the user was understood.
  const auto finals = of(evs, "transcript", turn_of(*said));
  BOOST_REQUIRE(!finals.empty());
  BOOST_CHECK(finals.back().at <= reflex->at);
  BOOST_CHECK_EQUAL(finals.back().body["text"], "go forward ten meters");
}

BOOST_AUTO_TEST_CASE(barge_in_during_the_reflex_cuts_off_the_reflex_and_the_reply) {
  fault("agent", "hang");  // 5 s: the reply cannot come before the barge-in
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("x3", "cat"));
  c->send_json({{"type", "text"}, {"text", "repeat after me " + answer}});
  BOOST_REQUIRE(c->wait_until(
      [](auto& evs, std::size_t audio) { return test::has(evs, "reflex") && audio >= 3; }, 10s));
  c->send_json({{"type", "text"}, {"text", "repeat after me stop"}});  // a new turn
  BOOST_REQUIRE(c->wait_until([](auto& evs, std::size_t) { return ended(evs, 2); }, 20s));
  const auto evs = c->events();
  const auto cut = of(evs, "interrupted", 1);
  BOOST_REQUIRE_EQUAL(cut.size(), 1u);
  BOOST_CHECK_EQUAL(cut.front().body["reason"], "barge_in");
  const auto reflexes = of(evs, "reflex", 1);
  BOOST_REQUIRE_EQUAL(reflexes.size(), 1u);
  // Cut off within the reflex: not all of its frames came.
  BOOST_CHECK_LT(cut.front().audio_index, reflexes.front().body.value("frames", std::size_t{0}));
  BOOST_CHECK(of(evs, "audio_started", 1).empty());  // the reply never played
  BOOST_CHECK(reply_of(evs, 1).empty());
  // Nothing of turn 1 after the cut: the next audio is turn 2's.
  std::size_t next_audio = c->audio_count();
  for (const auto& e : evs)
    if (turn_of(e) == 2 && (e.type() == "reflex" || e.type() == "audio_started"))
      next_audio = std::min(next_audio, e.audio_index);
  BOOST_CHECK_EQUAL(next_audio, cut.front().audio_index);
  BOOST_CHECK_EQUAL(reply_of(evs, 2), "stop");
}

BOOST_AUTO_TEST_CASE(a_session_killed_during_the_reflex_still_speaks_the_reply) {
  fault("agent", "slow");
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("x4", "dan"));
  c->send_json({{"type", "text"}, {"text", "repeat after me " + answer}});
  BOOST_REQUIRE(c->wait_until(
      [](auto& evs, std::size_t audio) { return test::has(evs, "reflex") && audio >= 2; }, 10s));
  BOOST_REQUIRE_EQUAL(kill(find("guild_session", "guild", "x4")).status, 202);
  // The client rejoins by itself; the replacement answers the turn.
  BOOST_REQUIRE(c->wait_until([](auto& evs, std::size_t) { return ended(evs, 1); }, 30s));
  const auto evs = c->events();
  BOOST_CHECK_EQUAL(reply_of(evs, 1), answer);
  BOOST_CHECK_EQUAL(of(evs, "reflex", 1).size(), 1u);  // not said again
  const auto started = of(evs, "audio_started", 1);
  const auto done = of(evs, "audio_ended", 1);
  BOOST_REQUIRE(started.size() == 1 && done.size() == 1);
  BOOST_CHECK_EQUAL(done.front().body.value("frames", std::size_t{0}),
                    done.front().audio_index - started.front().audio_index);
}

BOOST_AUTO_TEST_CASE(a_tts_job_killed_during_the_reflex_still_speaks_the_reply) {
  fault("tts", "slow");  // the agent is quick; the voice is not
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("x5", "eve"));
  c->send_json({{"type", "text"}, {"text", "help"}});
  BOOST_REQUIRE(
      c->wait_until([](auto& evs, std::size_t) { return test::has(evs, "reflex"); }, 10s));
  const auto session = find("guild_session", "guild", "x5");
  BOOST_REQUIRE_EQUAL(kill(find("tts_job", "turn", "1", session)).status, 202);
  // A job killed inside an engine call finds its cancel token set when the
  // call returns and quits as if stopped, so it is not restarted: the turn's
  // tts watchdog (15 s) re-runs the stage. Hence the long wait.
  BOOST_REQUIRE(c->wait_until([](auto& evs, std::size_t) { return ended(evs, 1); }, 60s));
  check_reflex_then_reply(c->events(), c->audio(), help);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(reflex_lane_quiet, fast_reply_fixture)

// The reply's audio is playing when the delay (1.5 s here) passes: no reflex.
BOOST_AUTO_TEST_CASE(a_reply_already_playing_gets_no_reflex) {
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("y1", "fay"));
  const auto asked = client::clock::now();
  c->send_json({{"type", "text"},
                {"text",
                 "repeat after me this reply is long enough to be still playing when "
                 "the reflex delay has passed"}});
  BOOST_REQUIRE(c->wait_until([](auto& evs, std::size_t) { return ended(evs, 1); }, 30s));
  const auto evs = c->events();
  const auto done = of(evs, "audio_ended", 1);
  BOOST_REQUIRE(!done.empty());
  BOOST_REQUIRE(done.front().at - asked > 2s);  // so the delay passed while it played
  BOOST_CHECK(!test::has(evs, "reflex"));
  BOOST_CHECK_EQUAL(of(evs, "audio_started", 1).front().audio_index, 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(reflex_lane_off, reflex_off_fixture)

BOOST_AUTO_TEST_CASE(reflex_off_never_plays_one_however_slow_the_agent) {
  fault("agent", "slow");
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("z1", "gus"));
  const auto evs = ask_and_hear(*c);
  BOOST_CHECK(!test::has(evs, "reflex"));
  BOOST_CHECK_EQUAL(of(evs, "audio_started", 1).front().audio_index, 0u);
  BOOST_CHECK_EQUAL(reply_of(evs, 1), answer);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// PARLEY_AGENT=openai and PARLEY_REFLEX unset (auto), against a provider
// whose first sentence takes ~0.8 s to stream.
struct slow_provider {
  fakes::fake_openai_server fake{"sk-reflex-test-key-0123456789"};
  slow_provider() {
    fake.set_reply("The model took its time. Then it answered.", 2);
    fake.set_chunk_delay(60ms);
  }
  runtime::config cfg() {
    auto c = test::test_config(false);
    c.agent = "openai";
    c.agent_url = fake.base_url();
    c.agent_key = fake.api_key();
    c.agent_model = "fake-model";
    c.reflex = config_of({{"PARLEY_AGENT", "openai"}}).value.reflex;
    return c;
  }
};

struct remote_agent_fixture : slow_provider, test::app_fixture {
  remote_agent_fixture() : app_fixture(cfg()) {}
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(reflex_lane_auto, remote_agent_fixture)

BOOST_AUTO_TEST_CASE(auto_plays_a_reflex_for_a_slow_remote_agent) {
  client::client_pool pool;
  auto c = test::joined(pool, voice_url("w1", "hal"));
  c->send_json({{"type", "text"}, {"text", "take your time"}});
  BOOST_REQUIRE(c->wait_until([](auto& evs, std::size_t) { return ended(evs, 1); }, 30s));
  const auto evs = c->events();
  const auto r = of(evs, "reflex", 1);
  BOOST_REQUIRE_EQUAL(r.size(), 1u);
  BOOST_CHECK_EQUAL(r.front().audio_index, 0u);
  BOOST_CHECK_EQUAL(of(evs, "audio_started", 1).front().audio_index,
                    r.front().body.value("frames", std::size_t{0}));
  BOOST_CHECK_EQUAL(reply_of(evs, 1), fake.reply());
}

BOOST_AUTO_TEST_SUITE_END()
