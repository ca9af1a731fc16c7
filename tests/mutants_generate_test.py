#!/usr/bin/env python3
"""The mutation operators of tools/mutants/generate.py on a fixed snippet:
every expected mutant is made, nothing in a comment, a literal, a
preprocessor line, a template's brackets or an rvalue reference is touched,
ids are stable and unique, and applying a mutant changes only its place.

usage: mutants_generate_test.py ROOT
"""
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "tools", "mutants"))
import generate  # noqa: E402

SNIPPET = r'''#include <vector>
#define LIMIT(a) ((a) < 3 && (a) > 1)
// if (x < 2) return false;  a comment
template <typename T>
bool F(std::vector<T>&& v, int n, Foo* p) {
  const char* s = "a < b && c || d";  /* if (q == 1) */
  if (n < 3 && v.size() != 0) return true;
  while (!v.empty()) v.pop_back();
  p->Set(n, m);
  count += 2;
  return false;
}
'''

EXPECTED = {
    ("ror", "<", ">="), ("ror", "<", "<="), ("bound", "3", "4"), ("bound", "3", "2"),
    ("lcr", "&&", "||"), ("ror", "!=", "=="), ("bound", "0", "1"), ("bound", "0", "-1"),
    ("negate", "n < 3 && v.size() != 0", "!(n < 3 && v.size() != 0)"),
    ("negate", "!v.empty()", "!(!v.empty())"), ("return", "true", "false"),
    ("stmt", "p->Set(n, m);", ";"), ("stmt", "count += 2;", ";"), ("swap", "n, m", "m, n"),
    ("return", "false", "true"),
}

errors = []
ms = generate.mutants_of("src/x/snippet.cc", SNIPPET)
got = {(m["op"], m["orig"], m["repl"]) for m in ms}
for e in sorted(EXPECTED - got):
    errors.append(f"missing mutant {e}")
for g in sorted(got - EXPECTED):
    errors.append(f"unexpected mutant {g}")
for m in ms:
    if m["line"] in (1, 2, 3, 4, 6):
        errors.append(f"mutated line {m['line']} (comment, literal, preprocessor, template): {m}")
    new = generate.apply(SNIPPET, m)
    if new[:m["start"]] != SNIPPET[:m["start"]] or \
            new[m["start"] + len(m["repl"]):] != SNIPPET[m["end"]:]:
        errors.append(f"{m['id']} changes more than its place")
ids = [m["id"] for m in ms]
if len(set(ids)) != len(ids):
    errors.append("ids are not unique")
# The id depends on the line, not on where it is in the file.
shifted = generate.mutants_of("src/x/snippet.cc", "\n\n" + SNIPPET)
if sorted(m["id"] for m in shifted) != sorted(ids):
    errors.append("ids change when lines are added above")
if generate.mutants_of("src/x/snippet.cc", SNIPPET) != ms:
    errors.append("two runs differ")
for e in errors:
    print("mutants_generate_test:", e, file=sys.stderr)
if not errors:
    print(f"mutants_generate_test: ok ({len(ms)} mutants)")
sys.exit(1 if errors else 0)
