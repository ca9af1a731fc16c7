// FUNCTION DUMP and FUNCTION RESTORE's payload, as Redis 7.0.15 writes and
// reads it (functions.c's functionDumpCommand and functionRestoreCommand,
// rdb.c's rdbSaveFunctions and rdbFunctionLoad): per library the opcode
// RDB_OPCODE_FUNCTION2 (245) and the library's code as an RDB string (LZF
// above 20 bytes when it pays, src/engine/rdb.h), then DUMP's footer (RDB
// version 10, CRC-64). RESTORE also reads the opcode of 7.0's release
// candidates, RDB_OPCODE_FUNCTION (246): the library's name, its engine, a
// description flag and description, and the code after the shebang line.
//
// Written here from the format (docs/fidelity.md, "FUNCTION DUMP and
// RESTORE"). Differences: DUMP lists the libraries by name (Redis in its
// dict's order, which changes from one server start to the next); RESTORE
// checks a payload's libraries in payload order (Redis in dict order, which
// only decides which of several clashes an error names); a library whose
// loading code never ends meets the load's instruction cap here where
// 7.0.15 restores with no timeout and hangs.
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "src/engine/rdb.h"
#include "src/script/lua_scripts.h"

namespace respfuzz::script {

namespace {

constexpr uint8_t kOpcodeFunction2 = 245;    // RDB_OPCODE_FUNCTION2
constexpr uint8_t kOpcodeFunctionPre = 246;  // RDB_OPCODE_FUNCTION (7.0-rc1, rc2)

// sdscatfmt's %s: a C string, so up to the first NUL.
std::string_view CText(std::string_view s) { return s.substr(0, s.find('\0')); }

// rdbFunctionLoad's reading of one library's code at *pos (after the
// opcode); "" or the error text.
std::string ReadLibraryCode(std::string_view payload, size_t* pos, uint8_t type,
                            std::string* code) {
  namespace rdb = engine::rdb;
  if (type == kOpcodeFunction2) {
    if (!rdb::LoadString(payload, pos, code)) return "Failed loading library payload";
    return "";
  }
  std::string name, engine, desc, blob;
  uint64_t has_desc = 0;
  if (!rdb::LoadString(payload, pos, &name)) return "Failed loading library name";
  if (!rdb::LoadString(payload, pos, &engine)) return "Failed loading engine name";
  if (!rdb::LoadLen(payload, pos, &has_desc)) {
    return "Failed loading library description indicator";
  }
  if (has_desc != 0 && !rdb::LoadString(payload, pos, &desc)) {
    return "Failed loading library description";
  }
  if (!rdb::LoadString(payload, pos, &blob)) return "Failed loading library blob";
  // "#!%s name=%s\n%s" (the description is dropped).
  *code = "#!";
  code->append(CText(engine));
  code->append(" name=");
  code->append(CText(name));
  code->push_back('\n');
  code->append(CText(blob));
  return "";
}

}  // namespace

std::string FunctionLibraries::Dump() const {
  std::string out;
  for (const auto& [name, lib] : libraries_) {
    out.push_back(static_cast<char>(kOpcodeFunction2));
    engine::rdb::AppendString(&out, lib.code);
  }
  engine::rdb::AppendFooter(&out);
  return out;
}

bool FunctionLibraries::Restore(std::string_view payload, RestorePolicy policy,
                                std::string* error) {
  // The payload's libraries, created (run) as they are read, in a context
  // of their own: a library name twice, or a function name twice, in the
  // payload is an error (functionsCreateWithLibraryCtx).
  LibraryMap staged;
  std::vector<std::string> order;
  std::map<std::string, std::string, std::less<>> staged_functions;  // lower-case -> name
  const auto fail = [&](std::string e) {
    for (const auto& [name, lib] : staged) Release(lib);
    *error = std::move(e);
    return false;
  };
  size_t pos = 0;
  // Read until the last 10 bytes (the footer); a string that ran into the
  // footer ends the loop.
  while (payload.size() - pos > 10) {
    const auto type = static_cast<uint8_t>(payload[pos++]);
    if (type != kOpcodeFunction2 && type != kOpcodeFunctionPre) {
      return fail("ERR given type is not a function");
    }
    std::string code;
    std::string why = ReadLibraryCode(payload, &pos, type, &code);
    if (!why.empty()) return fail("ERR " + why);
    Library lib;
    bool exists = false;
    if (!Create(code, /*replace=*/false, staged, &lib, &exists, &why)) return fail(why);
    for (const Function& f : lib.defs) {
      if (staged_functions.count(absl::AsciiStrToLower(f.name)) != 0) {
        Release(lib);
        return fail("ERR Function " + f.name + " already exists");
      }
    }
    for (const Function& f : lib.defs) {
      staged_functions.emplace(absl::AsciiStrToLower(f.name), f.name);
    }
    order.push_back(lib.name);
    const std::string name = lib.name;
    staged.emplace(name, std::move(lib));
  }
  if (policy == RestorePolicy::kFlush) {
    // functionsLibCtxSwapWithCurrent: the payload's libraries are all there
    // is.
    for (const auto& [name, lib] : libraries_) Release(lib);
    libraries_.clear();
    functions_.clear();
  } else {
    // libraryJoin: a library of the payload that exists is an error under
    // APPEND, replaced under REPLACE; then no function of the payload may
    // exist in a library that stays.
    std::set<std::string, std::less<>> replaced;
    for (const std::string& name : order) {
      if (libraries_.count(name) == 0) continue;
      if (policy == RestorePolicy::kAppend) return fail("ERR Library " + name + " already exists");
      replaced.insert(name);
    }
    for (const auto& [lower, name] : staged_functions) {
      auto it = functions_.find(lower);
      if (it != functions_.end() && replaced.count(it->second.library) == 0) {
        return fail("ERR Function " + name + " already exists");
      }
    }
    for (const std::string& name : replaced) Delete(name);
  }
  for (const std::string& name : order) {
    auto node = staged.extract(name);
    Link(std::move(node.mapped()));
  }
  return true;
}

}  // namespace respfuzz::script
