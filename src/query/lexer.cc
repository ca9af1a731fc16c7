#include "src/query/lexer.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/query/utf8.h"

namespace respfuzz::query {

namespace {

constexpr size_t kNearBytes = 16;

bool IsParamChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\\' || c == '\'') {
      absl::StrAppend(&out, "\\", std::string(1, c));
    } else if (u >= 0x20 && u < 0x7F) {
      out += c;
    } else {
      absl::StrAppendFormat(&out, "\\x%02x", u);
    }
  }
  return out;
}

}  // namespace

std::string ParseError::ToString() const {
  return absl::StrCat("Syntax error at offset ", offset, " near '", near, "': ", reason);
}

bool IsQuerySpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool IsTermChar(char c) { return IsParamChar(c) || static_cast<unsigned char>(c) >= 0x80; }

Token Lexer::Fail(size_t offset, std::string reason) {
  if (!error_) {
    error_ = ParseError{offset, std::move(reason),
                        Printable(q_.substr(std::min(offset, q_.size()), kNearBytes))};
  }
  return Failed();
}

Token Lexer::Failed() const {
  Token t;
  t.kind = TokenKind::kError;
  t.offset = error_ ? static_cast<uint32_t>(error_->offset) : 0;
  return t;
}

void Lexer::SkipSpace() {
  while (pos_ < q_.size() && IsQuerySpace(q_[pos_])) ++pos_;
}

bool Lexer::AtAfterSpace(char c) {
  SkipSpace();
  return pos_ < q_.size() && q_[pos_] == c;
}

bool Lexer::ConsumeArrow() {
  SkipSpace();
  if (q_.substr(pos_, 2) != "=>") return false;
  pos_ += 2;
  return true;
}

bool Lexer::ScanTermChars(std::string* out) {
  while (pos_ < q_.size()) {
    const char c = q_[pos_];
    if (IsTermChar(c)) {
      *out += c;
      ++pos_;
    } else if (c == '\\') {
      if (pos_ + 1 == q_.size()) {
        Fail(pos_, "a backslash at the end of the query escapes nothing");
        return false;
      }
      *out += q_[pos_ + 1];
      pos_ += 2;
    } else {
      break;
    }
  }
  return true;
}

// Valid UTF-8 is lowercased; anything else is an error at `offset`.
static bool NormalizeText(Lexer* lexer, std::string* text, size_t offset, const char* what) {
  if (InvalidUtf8At(*text) != std::string_view::npos) {
    lexer->Fail(offset, absl::StrCat("invalid UTF-8 in ", what));
    return false;
  }
  LowercaseUtf8(text);
  return true;
}

Token Lexer::Next() {
  SkipSpace();
  Token t;
  t.offset = static_cast<uint32_t>(pos_);
  if (pos_ == q_.size()) return t;  // kEnd
  const char c = q_[pos_];
  switch (c) {
    case '(':
      t.kind = TokenKind::kLParen;
      ++pos_;
      return t;
    case ')':
      t.kind = TokenKind::kRParen;
      ++pos_;
      return t;
    case '|':
      t.kind = TokenKind::kPipe;
      ++pos_;
      return t;
    case '-':
      t.kind = TokenKind::kMinus;
      ++pos_;
      return t;
    case '~':
      t.kind = TokenKind::kTilde;
      ++pos_;
      return t;
    case '@':
      return ScanField();
    case '"':
      return ScanPhrase();
    case '%':
      return ScanFuzzy();
    case '$':
      return ScanParam();
    case '=':
      if (q_.substr(pos_, 2) == "=>") {
        t.kind = TokenKind::kArrow;
        pos_ += 2;
        return t;
      }
      return Fail(pos_, "expected '=>'");
    default:
      break;
  }
  if (c == '*' || c == '\\' || IsTermChar(c)) return ScanTermLike();
  return Fail(pos_, absl::StrCat("unexpected character '", Printable(q_.substr(pos_, 1)),
                                 "' (escape it with a backslash to search for it)"));
}

Token Lexer::ScanTermLike() {
  Token t;
  t.offset = static_cast<uint32_t>(pos_);
  if (q_.substr(pos_, 2) == "w'") return ScanWildcard();
  bool leading = false;
  if (q_[pos_] == '*') {
    ++pos_;
    if (pos_ == q_.size() || !(IsTermChar(q_[pos_]) || q_[pos_] == '\\')) {
      t.kind = TokenKind::kAll;
      return t;
    }
    leading = true;
  }
  const size_t raw_start = pos_;
  if (!ScanTermChars(&t.text)) return Failed();
  if (!leading && pos_ < q_.size() && q_[pos_] == '(' &&
      EqualsIgnoreAsciiCase(q_.substr(raw_start, pos_ - raw_start), "ismissing")) {
    ++pos_;
    t.kind = TokenKind::kMissing;
    t.text.clear();
    return t;
  }
  bool trailing = false;
  if (pos_ < q_.size() && q_[pos_] == '*') {
    ++pos_;
    trailing = true;
    if (pos_ < q_.size() && (IsTermChar(q_[pos_]) || q_[pos_] == '\\' || q_[pos_] == '*')) {
      return Fail(pos_, "unexpected character after '*' (a '*' ends a prefix or infix term)");
    }
  }
  if (!NormalizeText(this, &t.text, t.offset, "term")) return Failed();
  t.kind = leading ? (trailing ? TokenKind::kInfix : TokenKind::kSuffix)
                   : (trailing ? TokenKind::kPrefix : TokenKind::kTerm);
  return t;
}

Token Lexer::ScanWildcard() {
  Token t;
  t.kind = TokenKind::kWildcard;
  t.offset = static_cast<uint32_t>(pos_);
  pos_ += 2;  // w'
  while (true) {
    if (pos_ == q_.size()) return Fail(t.offset, "unterminated wildcard pattern (missing ')");
    const char c = q_[pos_];
    if (c == '\'') {
      ++pos_;
      break;
    }
    if (c == '\\') {
      if (pos_ + 1 == q_.size()) return Fail(pos_, "unterminated wildcard pattern (missing ')");
      const char e = q_[pos_ + 1];
      if (e == '*' || e == '?' || e == '\\' || e == '\'') t.text += '\\';
      t.text += e;
      pos_ += 2;
      continue;
    }
    t.text += c;
    ++pos_;
  }
  if (t.text.empty()) return Fail(t.offset, "empty wildcard pattern");
  if (!NormalizeText(this, &t.text, t.offset, "wildcard pattern")) return Failed();
  return t;
}

Token Lexer::ScanPhrase() {
  Token t;
  t.kind = TokenKind::kPhrase;
  t.offset = static_cast<uint32_t>(pos_);
  ++pos_;  // "
  std::string word;
  bool in_word = false;
  while (true) {
    if (pos_ == q_.size()) return Fail(t.offset, "unterminated phrase (missing \")");
    const char c = q_[pos_];
    if (c == '"') {
      ++pos_;
      break;
    }
    if (IsQuerySpace(c)) {
      if (in_word) t.words.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++pos_;
      continue;
    }
    if (c == '\\') {
      if (pos_ + 1 == q_.size()) return Fail(t.offset, "unterminated phrase (missing \")");
      word += q_[pos_ + 1];
      pos_ += 2;
    } else {
      word += c;
      ++pos_;
    }
    in_word = true;
  }
  if (in_word) t.words.push_back(std::move(word));
  if (t.words.empty()) return Fail(t.offset, "empty phrase");
  for (std::string& w : t.words) {
    if (!NormalizeText(this, &w, t.offset, "phrase")) return Failed();
  }
  return t;
}

Token Lexer::ScanFuzzy() {
  Token t;
  t.kind = TokenKind::kFuzzy;
  t.offset = static_cast<uint32_t>(pos_);
  uint8_t open = 0;
  while (pos_ < q_.size() && q_[pos_] == '%') {
    ++pos_;
    if (++open > 3) return Fail(t.offset, "at most 3 '%' around a fuzzy term");
  }
  if (!ScanTermChars(&t.text)) return Failed();
  if (t.text.empty()) return Fail(pos_, "expected a term after '%'");
  uint8_t close = 0;
  while (close < open && pos_ < q_.size() && q_[pos_] == '%') {
    ++pos_;
    ++close;
  }
  if (close != open) return Fail(t.offset, "unbalanced '%' around a fuzzy term");
  if (!NormalizeText(this, &t.text, t.offset, "fuzzy term")) return Failed();
  t.fuzzy = open;
  return t;
}

Token Lexer::ScanParam() {
  Token t;
  t.kind = TokenKind::kParam;
  t.offset = static_cast<uint32_t>(pos_);
  ++pos_;  // $
  while (pos_ < q_.size() && IsParamChar(q_[pos_])) t.text += q_[pos_++];
  if (t.text.empty()) return Fail(t.offset, "expected a parameter name after '$'");
  return t;
}

bool Lexer::ScanFieldName(std::string* out) {
  const size_t start = pos_;
  if (!ScanTermChars(out)) return false;
  if (out->empty()) {
    Fail(pos_, "expected a field name");
    return false;
  }
  if (InvalidUtf8At(*out) != std::string_view::npos) {
    Fail(start, "invalid UTF-8 in field name");
    return false;
  }
  return true;
}

Token Lexer::ScanField() {
  Token t;
  t.kind = TokenKind::kField;
  t.offset = static_cast<uint32_t>(pos_);
  ++pos_;  // @
  while (true) {
    std::string name;
    if (!ScanFieldName(&name)) return Failed();
    t.words.push_back(std::move(name));
    if (pos_ < q_.size() && q_[pos_] == '|') {
      ++pos_;
      continue;
    }
    break;
  }
  if (pos_ == q_.size() || q_[pos_] != ':') return Fail(pos_, "expected ':' after the field name");
  ++pos_;
  return t;
}

bool Lexer::ScanMissingField(std::string* field) {
  SkipSpace();
  if (pos_ == q_.size() || q_[pos_] != '@') {
    Fail(pos_, "expected '@field' in ismissing()");
    return false;
  }
  ++pos_;
  if (!ScanFieldName(field)) return false;
  SkipSpace();
  if (pos_ == q_.size() || q_[pos_] != ')') {
    Fail(pos_, "expected ')' after the ismissing() field");
    return false;
  }
  ++pos_;
  return true;
}

bool Lexer::ScanTags(std::vector<RawTag>* out) {
  const size_t open = pos_;
  ++pos_;  // {
  while (true) {
    SkipSpace();
    if (pos_ == q_.size()) break;
    RawTag tag;
    tag.offset = static_cast<uint32_t>(pos_);
    bool leading = false, trailing = false;
    if (q_[pos_] == '$') {
      ++pos_;
      while (pos_ < q_.size() && IsParamChar(q_[pos_])) tag.param += q_[pos_++];
      if (tag.param.empty()) {
        Fail(tag.offset, "expected a parameter name after '$'");
        return false;
      }
      SkipSpace();
      if (pos_ < q_.size() && q_[pos_] != '|' && q_[pos_] != '}') {
        Fail(pos_, "a parameter must be the whole tag value");
        return false;
      }
    } else {
      if (q_[pos_] == '*') {
        leading = true;
        ++pos_;
      }
      size_t keep = 0;  // length without trailing unescaped blanks
      while (pos_ < q_.size()) {
        const char c = q_[pos_];
        if (c == '|' || c == '}') break;
        if (c == '\\') {
          if (pos_ + 1 == q_.size()) {  // reported as the missing '}'
            pos_ = q_.size();
            break;
          }
          tag.text += q_[pos_ + 1];
          pos_ += 2;
          keep = tag.text.size();
        } else if (c == '*') {
          const size_t star = pos_++;
          SkipSpace();
          if (pos_ < q_.size() && q_[pos_] != '|' && q_[pos_] != '}') {
            Fail(star, "a '*' inside a tag value must be escaped");
            return false;
          }
          trailing = true;
          break;
        } else if (c == '{') {
          Fail(pos_, "a '{' inside a tag value must be escaped");
          return false;
        } else {
          tag.text += c;
          ++pos_;
          if (!IsQuerySpace(c)) keep = tag.text.size();
        }
      }
      tag.text.resize(keep);
    }
    if (pos_ == q_.size()) break;
    if (tag.param.empty()) {
      if (tag.text.empty()) {
        Fail(tag.offset, "empty tag value");
        return false;
      }
      if (!NormalizeText(this, &tag.text, tag.offset, "tag")) return false;
      tag.match = leading ? (trailing ? TagMatch::kInfix : TagMatch::kSuffix)
                          : (trailing ? TagMatch::kPrefix : TagMatch::kExact);
    }
    out->push_back(std::move(tag));
    if (q_[pos_++] == '}') return true;
  }
  Fail(open, "unterminated tag list (missing '}')");
  return false;
}

bool Lexer::ScanBracket(std::vector<RawWord>* out) {
  const size_t open = pos_;
  ++pos_;  // [
  while (true) {
    SkipSpace();
    if (pos_ == q_.size()) break;
    if (q_[pos_] == ']') {
      ++pos_;
      return true;
    }
    const size_t start = pos_;
    while (pos_ < q_.size() && !IsQuerySpace(q_[pos_]) && q_[pos_] != ']') ++pos_;
    out->push_back(RawWord{q_.substr(start, pos_ - start), static_cast<uint32_t>(start)});
  }
  Fail(open, "unterminated '[' (missing ']')");
  return false;
}

bool Lexer::ScanAttributes(std::vector<RawAttribute>* out) {
  const size_t open = pos_;
  ++pos_;  // {
  while (true) {
    SkipSpace();
    if (pos_ == q_.size()) break;
    if (q_[pos_] == '}') {
      ++pos_;
      if (out->empty()) {
        Fail(open, "empty attribute list");
        return false;
      }
      return true;
    }
    if (q_[pos_] != '$') {
      Fail(pos_, "expected '$name: value' in the attribute list");
      return false;
    }
    RawAttribute attr;
    const size_t name_start = ++pos_;
    while (pos_ < q_.size() && IsParamChar(q_[pos_])) ++pos_;
    attr.name =
        RawWord{q_.substr(name_start, pos_ - name_start), static_cast<uint32_t>(name_start)};
    SkipSpace();
    if (attr.name.text.empty() || pos_ == q_.size() || q_[pos_] != ':') {
      Fail(pos_, "expected '$name: value' in the attribute list");
      return false;
    }
    ++pos_;
    SkipSpace();
    const size_t value_start = pos_;
    while (pos_ < q_.size() && !IsQuerySpace(q_[pos_]) && q_[pos_] != ';' && q_[pos_] != '}') {
      ++pos_;
    }
    attr.value =
        RawWord{q_.substr(value_start, pos_ - value_start), static_cast<uint32_t>(value_start)};
    if (attr.value.text.empty()) {
      Fail(value_start, "expected an attribute value");
      return false;
    }
    out->push_back(attr);
    SkipSpace();
    if (pos_ < q_.size() && q_[pos_] == ';') {
      ++pos_;
    } else if (pos_ < q_.size() && q_[pos_] != '}') {
      Fail(pos_, "expected ';' or '}' after an attribute");
      return false;
    }
  }
  Fail(open, "unterminated attribute list (missing '}')");
  return false;
}

}  // namespace respfuzz::query
