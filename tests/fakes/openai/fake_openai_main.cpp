// Runs the fake provider on its own, for checks with third-party clients:
//   parley_fake_openai_server [api_key]
// Prints the base URL on the first line, serves until stdin closes.
#include "tests/fakes/openai/fake_openai_server.hpp"

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  parley::fakes::fake_openai_server server(argc > 1 ? argv[1] : "sk-fake-0123456789abcdef");
  std::cout << server.base_url() << std::endl;
  for (std::string line; std::getline(std::cin, line);) {
    if (line == "fail") server.set_mode(parley::fakes::fake_openai_mode::fail);
    if (line == "normal") server.set_mode(parley::fakes::fake_openai_mode::normal);
    std::cout << "ok " << line << std::endl;
  }
  return 0;
}
