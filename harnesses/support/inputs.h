// Expanding file and directory arguments into the inputs to replay.
#ifndef RESPFUZZ_HARNESSES_SUPPORT_INPUTS_H_
#define RESPFUZZ_HARNESSES_SUPPORT_INPUTS_H_

#include <filesystem>
#include <string>
#include <vector>

namespace respfuzz::fuzz {

// Files are taken as given; directories are walked recursively, in sorted
// order, skipping the readable descriptions kept beside frozen inputs
// (*.txt, README*) and dot files. Returns false, naming the argument in
// `missing`, when one is neither a file nor a directory.
bool ExpandInputs(const std::vector<std::string>& args, std::vector<std::filesystem::path>* files,
                  std::string* missing);

}  // namespace respfuzz::fuzz

#endif  // RESPFUZZ_HARNESSES_SUPPORT_INPUTS_H_
