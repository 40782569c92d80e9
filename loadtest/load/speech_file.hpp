#pragma once
// The recording the simulated speakers say: raw 16 kHz s16le mono, or a
// .wav with that format.

#include <cstdint>
#include <string>
#include <vector>

namespace parley::load {

// Throws std::runtime_error with a message that names the problem.
std::vector<std::int16_t> read_speech_16k(const std::string& path);

// Cuts the quiet tail after the last voiced 20 ms frame (louder than both 15 dB
// over the recording's noise floor and 2 % of its loudest frame), so that "the
// last speech frame sent" is the end of the words, not of the file; otherwise
// the server could end the turn while the file still plays.
std::vector<std::int16_t> trim_trailing_silence(std::vector<std::int16_t> pcm);

}  // namespace parley::load
