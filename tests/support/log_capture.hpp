#pragma once
// The log lines written while it lives, as one string: tests check what
// was (and was not) logged, e.g. that a key never reaches the log.

#include <cstdio>
#include <string>

#include "runtime/common/log.hpp"

namespace parley::test {

struct log_capture {
  std::FILE* file = std::tmpfile();
  log_capture() { log::set_output(file); }
  ~log_capture() {
    log::set_output(stdout);
    std::fclose(file);
  }
  log_capture(const log_capture&) = delete;
  log_capture& operator=(const log_capture&) = delete;

  std::string text() {
    std::fflush(file);
    std::rewind(file);
    std::string out;
    char buf[4096];
    while (auto n = std::fread(buf, 1, sizeof buf, file)) out.append(buf, n);
    return out;
  }
};

}  // namespace parley::test
