"""Source mutants of src/: the operators, each mutant with a stable id.

A mutant is one textual change of one .cc file of src/, found on a copy of the
file in which comments, string and character literals and preprocessor lines
are blanked (so nothing in them is mutated). The operators:

  ror          a relational operator flipped: < to >= and <=, > to <= and >=,
               <= to > and <, >= to < and >, == to != and back
  bound        an integer literal compared with (a < 3, 0 == n) plus and minus 1
  lcr          && and || swapped
  negate       the condition of an if or while negated: if (!(C))
  stmt         an expression statement on one line removed (a call, an
               assignment, ++/--): early exits and side effects left out
  return       return true and return false swapped (an early return's value)
  swap         the two arguments of a call swapped, both names (a.b, p->q, ns::x)

A relational operator, && or || is only one written with a space on each side
(clang-format's binary operators; a template's brackets and a && in a type
are written without). Headers are not mutated (one header is compiled into many
translation units, which would make building a mutant expensive).

The id, e.g. reader-3f2a9c01, is the file's stem and a hash of the file's path,
the operator, the mutated line's text, which of the identical lines of the file
it is, the column and the replacement: it stays the same while that line does,
whatever changes elsewhere in the file.
"""

import hashlib
import re

RELATIONAL = {"<": [">=", "<="], "<=": [">", "<"], ">": ["<=", ">="], ">=": ["<", ">"],
              "==": ["!="], "!=": ["=="]}
OPERATORS = ("ror", "bound", "lcr", "negate", "stmt", "return", "swap")

_REL_RE = re.compile(r"(?<=\s)(<=|>=|==|!=|<|>)(?=\s)")
_INT_AFTER_RE = re.compile(r"\s+(-?)(\d+)([uUlLzZ]*)\b(?!\.)")
_INT_BEFORE_RE = re.compile(r"(?<![\w.])(\d+)([uUlLzZ]*)\s+$")
_LOGIC_RE = re.compile(r"(?<=\s)(&&|\|\|)(?=\s)")
_COND_RE = re.compile(r"\b(if|while)\s*\(")
_STMT_RE = re.compile(
    r"^(\s*)((?:\+\+|--)?[A-Za-z_][\w:]*(?:(?:\.|->)[A-Za-z_]\w*|\[[^\]]*\])*"
    r"(?:\(.*\)|\s*(?:=|\+=|-=|\*=|/=|\|=|&=|\^=|<<=|>>=)\s.*|\+\+|--)(?:(?:\.|->).*)?;)\s*$")
_STMT_SKIP = {"return", "break", "continue", "case", "default", "using", "typedef", "goto",
              "static_assert", "delete", "throw", "co_return", "namespace", "template"}
_RETURN_RE = re.compile(r"\breturn (true|false);")
_ARG = r"\s*(?:[A-Za-z_][\w]*(?:(?:\.|->|::)[A-Za-z_]\w*)*)\s*"
_SWAP_RE = re.compile(r"\b([A-Za-z_]\w*)\((" + _ARG + r"),(" + _ARG + r")\)")
_LITERALS = {"true", "false", "nullptr"}
_NOT_CALLS = {"if", "while", "for", "switch", "sizeof", "return", "alignof", "decltype",
              "static_cast", "reinterpret_cast", "const_cast", "dynamic_cast", "defined"}


def mask(text):
    """text with comments, string and char literals and preprocessor lines
    replaced by spaces (newlines kept): the same offsets, nothing to mutate."""
    out = list(text)
    i, n = 0, len(text)
    line_start = True

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if line_start and c in " \t":
            i += 1
            continue
        if line_start and c == "#":
            j = i
            while j < n:
                e = text.find("\n", j)
                e = n if e < 0 else e
                if e > 0 and text[e - 1] == "\\":
                    j = e + 1
                    continue
                break
            blank(i, e)
            i = e
            continue
        line_start = c == "\n"
        if text.startswith("//", i):
            e = text.find("\n", i)
            e = n if e < 0 else e
            blank(i, e)
            i = e
        elif text.startswith("/*", i):
            e = text.find("*/", i + 2)
            e = n if e < 0 else e + 2
            blank(i, e)
            i = e
        elif c == "R" and i + 1 < n and text[i + 1] == '"' and (i == 0 or not (
                text[i - 1].isalnum() or text[i - 1] == "_")):
            p = text.find("(", i + 2)
            delim = text[i + 2:p]
            e = text.find(")" + delim + '"', p)
            e = n if e < 0 else e + len(delim) + 2
            blank(i, e)
            i = e
        elif c in "\"'":
            if c == "'" and i > 0 and text[i - 1].isalnum():  # digit separator 1'000
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            blank(i + 1, min(j, n))
            i = j + 1
        else:
            i += 1
    return "".join(out)


def _close_paren(m, start):
    """The offset of the ')' matching the '(' at start in masked text m."""
    depth = 0
    for k in range(start, len(m)):
        if m[k] == "(":
            depth += 1
        elif m[k] == ")":
            depth -= 1
            if depth == 0:
                return k
    return -1


def _candidates(text, m):
    """(offset, end, op, replacement) of every mutation of text (masked: m)."""
    found = []
    lines = m.split("\n")
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln) + 1)

    def line_of(off):
        lo, hi = 0, len(starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if starts[mid] <= off:
                lo = mid
            else:
                hi = mid - 1
        return lo

    for r in _REL_RE.finditer(m):
        line = lines[line_of(r.start())]
        if "operator" in line or "template" in line:
            continue
        for repl in RELATIONAL[r.group(1)]:
            found.append((r.start(), r.end(), "ror", repl))
        after = _INT_AFTER_RE.match(m, r.end())
        if after and "\n" not in after.group(0):
            sign, digits, suffix = after.groups()
            a, b = after.start(1), after.end(3)
            value = int(digits) * (-1 if sign else 1)
            for v in (value + 1, value - 1):
                if v < 0 and suffix.lower().startswith("u"):
                    continue
                found.append((a, b, "bound", f"{v}{suffix}" if v >= 0 else f"-{-v}{suffix}"))
        before = _INT_BEFORE_RE.search(m[starts[line_of(r.start())]:r.start()])
        if before:
            base = starts[line_of(r.start())]
            a, b = base + before.start(1), base + before.end(2)
            value = int(before.group(1))
            for v in (value + 1, value - 1):
                if v >= 0:
                    found.append((a, b, "bound", f"{v}{before.group(2)}"))
    for r in _LOGIC_RE.finditer(m):
        found.append((r.start(), r.end(), "lcr", "||" if r.group(1) == "&&" else "&&"))
    for r in _COND_RE.finditer(m):
        rest = m[r.end():r.end() + 12]
        if m[r.start():r.end()].startswith("if") and re.match(r"\s*constexpr", m[r.start() + 2:]):
            continue
        open_at = r.end() - 1
        close = _close_paren(m, open_at)
        if close < 0 or ";" in m[open_at:close] or not rest.strip():
            continue  # a for-like or declaration condition: left alone
        cond = text[open_at + 1:close]
        if re.match(r"\s*(auto|const|[A-Za-z_][\w:<>]*\s+[A-Za-z_]\w*\s*=)", m[open_at + 1:close]):
            continue  # if (auto x = ...): a declaration, not an expression
        found.append((open_at + 1, close, "negate", f"!({cond})"))
    prev = ""
    for k, line in enumerate(lines):
        s = _STMT_RE.match(line)
        if (s and prev.rstrip().endswith((";", "{", "}", ":")) and
                s.group(2).split("(")[0].split()[0] not in _STMT_SKIP and
                line.count("(") == line.count(")") and not line.rstrip().endswith(");)")):
            a = starts[k] + len(s.group(1))
            found.append((a, a + len(s.group(2)), "stmt", ";"))
        if line.strip():
            prev = line
    for r in _RETURN_RE.finditer(m):
        found.append((r.start(1), r.end(1), "return", "false" if r.group(1) == "true" else "true"))
    for r in _SWAP_RE.finditer(m):
        if r.group(1) in _NOT_CALLS:
            continue
        a1, a2 = text[r.start(2):r.end(2)], text[r.start(3):r.end(3)]
        if a1.strip() == a2.strip() or {a1.strip(), a2.strip()} & _LITERALS:
            continue  # a literal swapped with a variable rarely compiles
        repl = f"{a2.strip()}, {a1.strip()}"
        found.append((r.start(2), r.end(3), "swap", repl))
    return sorted(set(found))


def mutants_of(relpath, text):
    """The mutants of one source file: dicts with id, file, line, col, op,
    start, end, orig, repl, text (the mutated line, stripped)."""
    m = mask(text)
    lines = text.split("\n")
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln) + 1)
    seen = {}
    first_index = {}
    for k, ln in enumerate(lines):
        first_index.setdefault(k, seen.get(ln.strip(), 0))
        seen[ln.strip()] = seen.get(ln.strip(), 0) + 1
    stem = relpath.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    result = []
    line_no = 0
    for start, end, op, repl in _candidates(text, m):
        while starts[line_no + 1] <= start:
            line_no += 1
        col = start - starts[line_no]
        line_text = lines[line_no].strip()
        key = "\0".join([relpath, op, line_text, str(first_index[line_no]), str(col), repl])
        digest = hashlib.sha1(key.encode()).hexdigest()[:8]
        result.append({"id": f"{stem}-{digest}", "file": relpath, "line": line_no + 1,
                       "col": col + 1, "op": op, "start": start, "end": end,
                       "orig": text[start:end], "repl": repl, "text": line_text})
    return result


def apply(text, mutant):
    return text[:mutant["start"]] + mutant["repl"] + text[mutant["end"]:]
