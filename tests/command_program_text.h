// A command_handler program from its text form, for tests: a text that does
// not parse fails the test and gives the empty program.
#ifndef RESPFUZZ_TESTS_COMMAND_PROGRAM_TEXT_H_
#define RESPFUZZ_TESTS_COMMAND_PROGRAM_TEXT_H_

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "harnesses/command_handler/checks.h"

namespace respfuzz::harnesses {

inline CommandProgram Program(std::string_view text) {
  auto p = CommandProgramFromText(text);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : CommandProgram{};
}

// The seed corpus/command_handler/<name> as a program.
inline CommandProgram SeedProgram(std::string_view name) {
  std::ifstream in(std::string(RESPFUZZ_SOURCE_DIR) + "/corpus/command_handler/" +
                   std::string(name));
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return Program(ss.str());
}

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_TESTS_COMMAND_PROGRAM_TEXT_H_
