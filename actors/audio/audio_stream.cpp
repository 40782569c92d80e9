#include "actors/audio/audio_stream.hpp"

#include <caf/all.hpp>

#include "actors/audio/opus_codec.hpp"
#include "actors/session/voice_metrics.hpp"
#include "messages/voice.hpp"

namespace parley::audio {
namespace {

using namespace parley::messages;

// Idle progress is reported in batches: acks need not be per frame.
constexpr std::uint64_t ack_every = 25;
// Enough silence to end a turn under the longest PARLEY_SILENCE_MS (5 s).
constexpr std::uint64_t max_silence_heard = 250;

struct stream_state {
  std::string user;
  caf::actor session;
  session::voice_metrics* stats = nullptr;
  opus_decoder decoder{16000};  // the rate of the VAD and the recognisers
  std::optional<voice_activity_detector> vad;
  std::uint64_t last_seq = 0;
  std::uint64_t last_ack = 0;
  std::uint64_t preroll_frames = 0;
  std::uint64_t utterance_first = 0;  // first frame of the utterance in speech
  static inline const char* name = "audio_stream";
};

using stream_actor = caf::stateful_actor<stream_state>;

void end_speech(stream_actor* self, std::uint64_t last_seq) {
  auto& st = self->state;
  const auto window = static_cast<std::uint32_t>(st.vad->silence_window().count());
  self->send(st.session, speech_end{st.user, last_seq, window});
}

void on_pcm(stream_actor* self, std::vector<std::int16_t> pcm16, std::uint64_t seq) {
  auto& st = self->state;
  switch (st.vad->feed(pcm16)) {
    case vad_event::speech_started: {
      const auto pre = st.vad->take_preroll();
      const auto pre_frames = pre.size() / vad_frame_samples;
      const auto first = seq > pre_frames ? seq - pre_frames + 1 : 1;
      st.utterance_first = first;
      self->send<caf::message_priority::high>(st.session, barge_in{st.user});
      self->send(st.session, speech_start{st.user, first});
      self->send(st.session, speech_audio{st.user, pre});
      return;
    }
    case vad_event::speech_ended:
      end_speech(self, seq);
      return;
    case vad_event::none:
      break;
  }
  if (st.vad->in_speech()) {
    self->send(st.session, speech_audio{st.user, std::move(pcm16)});
  } else if (seq - st.last_ack >= ack_every) {
    st.last_ack = seq;
    // The frames of the pre-roll window may yet open an utterance: a replay
    // after a restart must still hold them, or its first word is clipped.
    const std::uint64_t hold = st.preroll_frames;
    if (seq > hold) self->send(st.session, st.user, frames_done{seq - hold});
  }
}

void on_frame(stream_actor* self, audio_frame& f) {
  auto& st = self->state;
  if (f.seq <= st.last_seq) return;  // a replayed frame seen before
  st.stats->frames_in.Increment();
  // A gap means frames were lost: conceal one frame rather than skip time.
  if (st.last_seq != 0 && f.seq > st.last_seq + 1)
    on_pcm(self, st.decoder.decode_lost().pcm, f.seq - 1);
  st.last_seq = f.seq;
  auto decoded = st.decoder.decode(f.opus);
  if (!decoded.ok()) {
    self->send(st.session, bad_audio{st.user, decoded.error});
    decoded = st.decoder.decode_lost();
  }
  on_pcm(self, std::move(decoded.pcm), f.seq);
}

// Frames up to `seq` will not come. Inside an utterance they are silence a
// member kept back before it heard that the speech began: the VAD hears
// them as silence, so the turn ends when it would have. (Acknowledgements
// go on counting from where they were: a member that keeps its silence
// back still hears now and then that its kept frames are done.)
void on_skip(stream_actor* self, std::uint64_t seq) {
  auto& st = self->state;
  if (seq <= st.last_seq) return;
  if (st.vad->in_speech()) {
    const auto missing = std::min<std::uint64_t>(seq - st.last_seq, max_silence_heard);
    for (std::uint64_t i = 1; i <= missing && st.vad->in_speech(); ++i)
      on_pcm(self, std::vector<std::int16_t>(vad_frame_samples, 0), seq - missing + i);
  }
  st.last_seq = seq;
}

void on_window(stream_actor* self, const silence_window& w) {
  auto& st = self->state;
  if (!st.vad->in_speech() || w.first_seq != st.utterance_first) return;
  if (st.vad->set_silence_window(std::chrono::milliseconds(w.ms)) == vad_event::speech_ended)
    end_speech(self, st.last_seq);
}

}  // namespace

runtime::child_spec audio_stream_spec(const std::string& guild, const std::string& user,
                                      vad_config vad, session::voice_metrics* stats) {
  runtime::child_spec c;
  c.kind = "audio_stream";
  c.tags = {{"guild", guild}, {"user", user}};
  c.restart = runtime::restart_type::transient;
  c.start = [user, vad, stats](caf::local_actor* sup, const runtime::child_context& ctx) {
    return sup->spawn([user, vad, stats, ctx](stream_actor* self) -> caf::behavior {
      self->state.user = user;
      self->state.session = ctx.supervisor;
      self->state.stats = stats;
      self->state.vad.emplace(vad);
      self->state.preroll_frames =
          static_cast<std::uint64_t>(vad.preroll / std::chrono::milliseconds(20)) + 1;
      runtime::announce_ready(self, ctx.supervisor, ctx.id);
      return {
          [self](audio_frame& f) { on_frame(self, f); },
          [self](skip_atom, std::uint64_t seq) { on_skip(self, seq); },
          [self](const silence_window& w) { on_window(self, w); },
      };
    });
  };
  return c;
}

}  // namespace parley::audio
