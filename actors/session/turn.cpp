#include "actors/session/turn.hpp"

#include <algorithm>

namespace parley::session {

const char* to_string(turn_phase p) {
  switch (p) {
    case turn_phase::listening:
      return "listening";
    case turn_phase::transcribing:
      return "transcribing";
    case turn_phase::answering:
      return "answering";
    case turn_phase::voicing:
      return "voicing";
    case turn_phase::playing:
      return "playing";
    case turn_phase::interrupted:
      return "interrupted";
  }
  return "unknown";
}

namespace {

bool move(turn_phase& phase, turn_phase from, turn_phase to) {
  if (phase != from) return false;
  phase = to;
  return true;
}

}  // namespace

bool turn::end_speech() {
  return move(phase, turn_phase::listening, turn_phase::transcribing);
}

bool turn::transcribe(std::string text) {
  if (phase != turn_phase::listening && phase != turn_phase::transcribing) return false;
  phase = turn_phase::answering;
  transcript = std::move(text);
  return true;
}

bool turn::complete_reply() {
  return move(phase, turn_phase::answering, turn_phase::voicing);
}

bool turn::complete_audio() {
  return move(phase, turn_phase::voicing, turn_phase::playing);
}

bool turn::interrupt() {
  if (phase < turn_phase::answering || phase == turn_phase::interrupted) return false;
  phase = turn_phase::interrupted;
  return true;
}

void turn::answer_with(const std::string& apology) {
  sentences = {apology};
  sentences_voiced = 0;
  partly_voiced = 0;
  partly_synth_seconds = 0;
  transcript.clear();
  phase = turn_phase::voicing;
}

std::optional<turn::piece> turn::accept(const messages::sentence_audio& a) {
  if (interrupted() || a.index != sentences_voiced || a.first_frame > partly_voiced)
    return std::nullopt;
  piece p;
  p.skip = std::min<std::size_t>(partly_voiced - a.first_frame, a.frames.size());
  partly_voiced = std::max<std::uint32_t>(
      partly_voiced, a.first_frame + static_cast<std::uint32_t>(a.frames.size()));
  partly_synth_seconds += a.synth_seconds;
  if (a.sentence_done) {
    if (partly_voiced > 0) p.sentence_seconds = partly_synth_seconds;
    sentences_voiced = a.index + 1;
    partly_voiced = 0;
    partly_synth_seconds = 0;
  }
  return p;
}

std::string turn::reply_text() const {
  std::string reply;
  for (const auto& s : sentences) reply += (reply.empty() ? "" : " ") + s;
  return reply;
}

}  // namespace parley::session
