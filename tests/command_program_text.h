// A command_handler program from its text form, for tests: a text that does
// not parse fails the test and gives the empty program.
#ifndef RESPFUZZ_TESTS_COMMAND_PROGRAM_TEXT_H_
#define RESPFUZZ_TESTS_COMMAND_PROGRAM_TEXT_H_

#include <string_view>

#include "gtest/gtest.h"
#include "harnesses/command_handler/checks.h"

namespace respfuzz::harnesses {

inline CommandProgram Program(std::string_view text) {
  auto p = CommandProgramFromText(text);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : CommandProgram{};
}

}  // namespace respfuzz::harnesses

#endif  // RESPFUZZ_TESTS_COMMAND_PROGRAM_TEXT_H_
