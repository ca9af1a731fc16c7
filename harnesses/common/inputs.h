// Expanding file and directory arguments into the inputs to replay.
#ifndef RESPFUZZ_HARNESSES_COMMON_INPUTS_H_
#define RESPFUZZ_HARNESSES_COMMON_INPUTS_H_

#include <filesystem>
#include <string>
#include <vector>

namespace respfuzz::fuzz {

// Files are taken as given; directories are walked recursively, in sorted
// order, skipping the readable descriptions kept beside frozen inputs
// (*.txt, README*) and dot files. Returns false, naming the argument in
// `missing`, when one is neither a file nor a directory.
//
// With `text_programs` (structured harnesses, whose .txt files are programs),
// directory walks keep *.txt too, except a .txt beside a same-named file of
// another extension (a frozen regression's readable copy of its .bin).
bool ExpandInputs(const std::vector<std::string>& args, std::vector<std::filesystem::path>* files,
                  std::string* missing, bool text_programs = false);

}  // namespace respfuzz::fuzz

#endif  // RESPFUZZ_HARNESSES_COMMON_INPUTS_H_
