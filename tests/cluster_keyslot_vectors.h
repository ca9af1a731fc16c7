// The key slot vectors recorded from CLUSTER KEYSLOT on redis-server 7.0.15
// (tests/fixtures/cluster/redis7015_keyslot.txt, written and re-checked by
// tests/cluster_keyslot_oracle.py): read by the slot tests of src/cluster and
// of the reference model. Header-only, so the models' test binary needs
// nothing but itself.
#ifndef RESPFUZZ_TESTS_CLUSTER_KEYSLOT_VECTORS_H_
#define RESPFUZZ_TESTS_CLUSTER_KEYSLOT_VECTORS_H_

#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace respfuzz::testing_vectors {

struct KeySlotVector {
  std::string key;
  int slot = -1;
};

inline std::string KeySlotFixturePath() {
  return std::string(RESPFUZZ_SOURCE_DIR) + "/tests/fixtures/cluster/redis7015_keyslot.txt";
}

// Every vector of the file; `error` names the first bad line (and the result
// is then empty).
inline std::vector<KeySlotVector> ReadKeySlotVectors(std::string* error) {
  std::ifstream in(KeySlotFixturePath());
  if (!in) {
    *error = "cannot read " + KeySlotFixturePath();
    return {};
  }
  std::vector<KeySlotVector> out;
  std::string line;
  for (int no = 1; std::getline(in, line); ++no) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string hex, rest;
    KeySlotVector v;
    if (!(fields >> hex >> v.slot) || (fields >> rest) || v.slot < 0 || v.slot > 16383 ||
        (hex != "-" && hex.size() % 2 != 0)) {
      *error = "line " + std::to_string(no) + ": not 'HEX SLOT'";
      return {};
    }
    if (hex != "-") {
      for (size_t i = 0; i < hex.size(); i += 2) {
        v.key.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace respfuzz::testing_vectors

#endif  // RESPFUZZ_TESTS_CLUSTER_KEYSLOT_VECTORS_H_
