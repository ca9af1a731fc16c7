#include "src/server/server_commands.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "src/engine/command.h"

namespace respfuzz::server {

namespace {

// Redis's %.128s: at most 128 bytes, stopping at a NUL.
std::string CString128(std::string_view s) {
  s = s.substr(0, s.find('\0'));
  return std::string(s.substr(0, 128));
}

int Lower(char c) { return absl::ascii_tolower(static_cast<unsigned char>(c)); }

// A deeper nesting of '*' groups than this never matches (later Redis
// versions add the same guard against stack exhaustion).
constexpr int kMaxMatchNesting = 1000;

// A port of stringmatchlen_impl() from Redis 7.0's util.c, on (pointer,
// length) pairs; a read of pattern[1] past the end sees the C string's NUL.
bool MatchImpl(const char* pattern, size_t plen, const char* string, size_t slen, bool nocase,
               bool* skip_longer, int nesting) {
  if (nesting > kMaxMatchNesting) return false;
  auto at = [&](size_t i) { return i < plen ? pattern[i] : '\0'; };
  while (plen > 0 && slen > 0) {
    switch (pattern[0]) {
      case '*': {
        while (plen > 0 && at(1) == '*') {
          ++pattern;
          --plen;
        }
        if (plen == 1) return true;
        while (slen > 0) {
          if (MatchImpl(pattern + 1, plen - 1, string, slen, nocase, skip_longer, nesting + 1)) {
            return true;
          }
          if (*skip_longer) return false;
          ++string;
          --slen;
        }
        // No match for the rest of the pattern from anywhere in the rest of
        // the string: an earlier '*' matching more cannot help either.
        *skip_longer = true;
        return false;
      }
      case '?':
        ++string;
        --slen;
        break;
      case '[': {
        ++pattern;
        --plen;
        const bool negate = at(0) == '^';
        if (negate) {
          ++pattern;
          --plen;
        }
        bool match = false;
        while (true) {
          if (at(0) == '\\' && plen >= 2) {
            ++pattern;
            --plen;
            if (pattern[0] == string[0]) match = true;
          } else if (at(0) == ']') {
            break;
          } else if (plen == 0) {
            --pattern;
            ++plen;
            break;
          } else if (plen >= 3 && pattern[1] == '-') {
            int start = pattern[0];
            int end = pattern[2];
            int c = string[0];
            if (start > end) std::swap(start, end);
            if (nocase) {
              start = Lower(static_cast<char>(start));
              end = Lower(static_cast<char>(end));
              c = Lower(static_cast<char>(c));
            }
            pattern += 2;
            plen -= 2;
            if (c >= start && c <= end) match = true;
          } else if (nocase ? Lower(pattern[0]) == Lower(string[0]) : pattern[0] == string[0]) {
            match = true;
          }
          ++pattern;
          --plen;
        }
        if (negate) match = !match;
        if (!match) return false;
        ++string;
        --slen;
        break;
      }
      case '\\':
        if (plen >= 2) {
          ++pattern;
          --plen;
        }
        [[fallthrough]];
      default:
        if (nocase ? Lower(pattern[0]) != Lower(string[0]) : pattern[0] != string[0]) {
          return false;
        }
        ++string;
        --slen;
        break;
    }
    ++pattern;
    --plen;
    if (slen == 0) {
      while (plen > 0 && pattern[0] == '*') {
        ++pattern;
        --plen;
      }
      break;
    }
  }
  return plen == 0 && slen == 0;
}

bool IsGlob(std::string_view s) {
  // strpbrk(name, "[*?"): the C string ends at a NUL.
  s = s.substr(0, s.find('\0'));
  return s.find_first_of("[*?") != std::string_view::npos;
}

}  // namespace

ServerCommand FindServerCommand(std::string_view name) {
  // Cheap first test: this runs before every command.
  if (name.size() == 4 && engine::IEquals(name, "quit")) return ServerCommand::kQuit;
  if (name.size() == 6 && engine::IEquals(name, "config")) return ServerCommand::kConfig;
  return ServerCommand::kNone;
}

bool StringMatch(std::string_view pattern, std::string_view s, bool nocase) {
  bool skip_longer = false;
  return MatchImpl(pattern.data(), pattern.size(), s.data(), s.size(), nocase, &skip_longer, 0);
}

void Config(std::span<const std::string> argv, std::span<const ConfigParam> params,
            engine::ReplyWriter& reply) {
  if (argv.size() < 2) {
    reply.Error("ERR wrong number of arguments for 'config' command");
    return;
  }
  const std::string& sub = argv[1];
  if (!engine::IEquals(sub, "get")) {
    for (std::string_view known : {"set", "resetstat", "rewrite", "help"}) {
      if (engine::IEquals(sub, known)) {
        reply.Error("ERR command 'config|" + std::string(known) + "' is not implemented");
        return;
      }
    }
    reply.Error("ERR unknown subcommand '" + CString128(sub) + "'. Try " +
                absl::AsciiStrToUpper(CString128(argv[0])) + " HELP.");
    return;
  }
  if (argv.size() < 3) {
    reply.Error("ERR wrong number of arguments for 'config|get' command");
    return;
  }
  // The name each matched parameter is reported under, "" when unmatched.
  std::vector<std::string> reported(params.size());
  std::vector<bool> matched(params.size(), false);
  size_t count = 0;
  for (size_t a = 2; a < argv.size(); ++a) {
    const std::string& arg = argv[a];
    const bool glob = IsGlob(arg);
    for (size_t i = 0; i < params.size(); ++i) {
      if (matched[i]) continue;
      const bool hit = glob ? StringMatch(arg, params[i].name, /*nocase=*/true)
                            : engine::IEquals(arg, params[i].name);
      if (!hit) continue;
      matched[i] = true;
      reported[i] = glob ? std::string(params[i].name) : arg;
      ++count;
    }
  }
  reply.MapHeader(static_cast<int64_t>(count));
  for (size_t i = 0; i < params.size(); ++i) {
    if (!matched[i]) continue;
    reply.Bulk(reported[i]);
    reply.Bulk(params[i].value);
  }
}

}  // namespace respfuzz::server
