// The query lexer. Outside brackets it yields tokens (Next()); inside the
// bracketed forms the parser asks for the scanner of that form: tag lists
// {...}, bracket words [...] (numeric ranges, geo filters, KNN clauses),
// attribute lists =>{...} and the ismissing(@f) argument.
//
// Lexical rules (normal mode):
//   whitespace      space \t \n \v \f \r, separates tokens
//   term chars      ASCII letters, digits, '_', and every byte >= 0x80;
//                   any other byte is part of a term only when escaped with
//                   a backslash (\- \. \  ...); a backslash at the end is an
//                   error
//   ( ) | - ~       groups, OR, negation, optional
//   @a|b:           field modifier (field names: term chars and escapes)
//   "..."           phrase: words split on unescaped whitespace, \ escapes
//   pre* *suf *in*  prefix, suffix, infix; a lone * is the match-all
//   %t% %%t%% ...   fuzzy, 1 to 3 '%' on both sides, the same count
//   w'...'          wildcard pattern (\ escapes, ' ends)
//   $name           parameter ([A-Za-z0-9_]+)
//   =>              attributes or a KNN clause follow
//   ismissing(      (case-insensitive, no space before the parenthesis)
#ifndef RESPFUZZ_QUERY_LEXER_H_
#define RESPFUZZ_QUERY_LEXER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/query/ast.h"

namespace respfuzz::query {

// A syntax error: the byte offset it was found at and why.
struct ParseError {
  size_t offset = 0;
  std::string reason;
  std::string near;  // up to 16 bytes of the query from `offset`, escaped
  // "Syntax error at offset 12 near 'abc': expected ')'"
  std::string ToString() const;
  bool operator==(const ParseError&) const = default;
};

enum class TokenKind : uint8_t {
  kEnd,
  kError,
  kLParen,
  kRParen,
  kPipe,
  kMinus,
  kTilde,
  kField,     // words: the field names (':' consumed)
  kTerm,      // text
  kPrefix,    // text
  kSuffix,    // text
  kInfix,     // text
  kAll,       // a lone '*'
  kPhrase,    // words
  kFuzzy,     // text, fuzzy
  kWildcard,  // text: the pattern, backslashes kept before * ? \ '
  kParam,     // text: the name
  kArrow,     // '=>'
  kMissing,   // 'ismissing(' (the argument is read with ScanMissingField)
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  uint32_t offset = 0;
  std::string text;
  std::vector<std::string> words;
  uint8_t fuzzy = 0;
};

// One raw element of a bracketed form, with where it starts.
struct RawWord {
  std::string_view text;
  uint32_t offset = 0;
};

struct RawTag {
  std::string text;   // escapes resolved, outer unescaped blanks trimmed
  std::string param;  // set instead of text for a whole-value $name
  TagMatch match = TagMatch::kExact;
  uint32_t offset = 0;
};

struct RawAttribute {
  RawWord name;  // without the '$'
  RawWord value;
};

class Lexer {
 public:
  explicit Lexer(std::string_view query) : q_(query) {}

  Token Next();

  // Skips whitespace and tells whether the next byte is `c` (not consumed).
  bool AtAfterSpace(char c);
  // Skips whitespace; consumes "=>" when it is next.
  bool ConsumeArrow();

  // Each scanner starts at its opening byte and consumes through the
  // closing one. On a syntax error it records it and returns false.
  bool ScanTags(std::vector<RawTag>* out);              // { a | b* | $p }
  bool ScanBracket(std::vector<RawWord>* out);          // [ w1 w2 ... ]
  bool ScanAttributes(std::vector<RawAttribute>* out);  // { $n: v; ... }
  bool ScanMissingField(std::string* field);            // @f ) after "ismissing("

  size_t pos() const { return pos_; }
  const std::optional<ParseError>& error() const { return error_; }
  // Records an error (the first one wins) and returns a kError token.
  Token Fail(size_t offset, std::string reason);
  // A kError token for an error already recorded.
  Token Failed() const;

 private:
  void SkipSpace();
  // Appends term chars and escapes at pos_ to *out; false (error recorded)
  // on a backslash that ends the query.
  bool ScanTermChars(std::string* out);
  bool ScanFieldName(std::string* out);
  Token ScanTermLike();
  Token ScanPhrase();
  Token ScanFuzzy();
  Token ScanWildcard();
  Token ScanField();
  Token ScanParam();

  std::string_view q_;
  size_t pos_ = 0;
  std::optional<ParseError> error_;
};

bool IsQuerySpace(char c);
// Letters, digits, '_' and bytes >= 0x80.
bool IsTermChar(char c);

}  // namespace respfuzz::query

#endif  // RESPFUZZ_QUERY_LEXER_H_
