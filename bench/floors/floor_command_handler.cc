// Floor of command_handler: the program decoded as the harness decodes it,
// then every op run on a fresh engine through the server's entry point, as
// the harness runs it, and no check: no reference model, no Validate(), no
// reading of the replies (see bench/floors/README.md).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harnesses/command_handler/checks.h"
#include "harnesses/command_handler/program.h"
#include "src/engine/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace respfuzz;
  using namespace respfuzz::harnesses;
  const CommandProgram program =
      DecodeCommandProgram(std::string_view(reinterpret_cast<const char*>(data), size));
  engine::Engine eng(CommandEngineOptions(CommandRunOptions{}));
  for (int i = 0; i < kMaxSessions; ++i) eng.SetLocal(eng.OpenSession(), i < kLocalSessions);
  std::string bytes;
  std::vector<std::string> argv;
  for (const Op& op : program.ops) {
    if (op.kind == OpKind::kClock) {
      eng.AdvanceClock(op.clock_ms);
    } else if (op.kind == OpKind::kActiveExpire) {
      eng.ExpireAllDue();
    } else if (!OutsideTheModel(op.argv)) {
      bytes.clear();
      argv.assign(op.argv.begin(), op.argv.end());
      eng.ExecuteOwned(op.session, argv, &bytes);
    }
  }
  return 0;
}
