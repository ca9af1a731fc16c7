#!/usr/bin/env python3
"""Writes the query_parser seed corpus: corpus/query_parser/<name>.bin.

Each seed is [flags][10 bytes per document][query][NUL PARAMS...] (see
harnesses/query_parser/checks.h): flags bit 0 selects the small caps
(query 256 bytes, depth 8, 32 nodes), bits 4-7 the number of documents.
PARAMS are [name length][name][value length][value] pairs after a NUL; a
seed without them leaves $references unresolved. One or more seeds per
grammar feature, one per error path, and each cap at and one past its
boundary. Run from anywhere; it rewrites the directory's .bin files.
"""

import struct

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from seedlib import write_corpus  # noqa: E402

DEFAULT, SMALL = 0, 1
SMALL_LEN, SMALL_DEPTH, SMALL_NODES = 256, 8, 32
DEFAULT_DEPTH, DEFAULT_NODES = 128, 4096

WORDS = ["hello", "help", "world", "word", "redis", "search", "café", "naïve"]
TAGS = ["red", "blue", "dark blue", "green", "c++", "a|b", "été", "42"]
POINTS = ["origin", "near_origin", "paris", "london", "new_york", "tokyo", "lon180",
          "north_edge"]


def text(words):
    """16 bits: 1 to 4 words from WORDS."""
    assert 1 <= len(words) <= 4
    bits = len(words) - 1
    for i, w in enumerate(words):
        bits |= WORDS.index(w) << (2 + 3 * i)
    return struct.pack("<H", bits)


def doc(a=None, b=None, tags=None, n=None, g=None, v=None):
    present = 0
    out = b""
    if a is not None:
        present |= 0x01
    if b is not None:
        present |= 0x02
    if tags is not None:
        present |= 0x04
    if n is not None:
        present |= 0x08
        assert n * 2 == int(n * 2) and -64 <= n <= 63.5, n
    if g is not None:
        present |= 0x10
    if v is not None:
        present |= 0x20
    out += bytes([present])
    out += text(a.split()) if a else b"\0\0"
    out += text(b.split()) if b else b"\0\0"
    mask = 0
    for t in tags or []:
        mask |= 1 << TAGS.index(t)
    out += bytes([mask])
    out += struct.pack("<b", int(n * 2) if n is not None else 0)
    out += bytes([POINTS.index(g) if g else 0])
    out += struct.pack("<bb", *(v or (0, 0)))
    assert len(out) == 10
    return out


DOCS = [
    doc(a="hello world", b="redis search", tags=["red", "blue"], n=1, g="paris", v=(1, 2)),
    doc(a="help word", tags=["dark blue", "green"], n=-3.5, g="london", v=(0, 0)),
    doc(b="hello café", tags=["c++"], n=10, g="origin", v=(5, 5)),
    doc(a="naïve search hello", n=63.5, g="near_origin"),
    doc(a="world", b="word help", tags=["a|b", "été"], v=(-1, -1)),
    doc(),
    doc(a="redis", b="redis", tags=["42"], n=0, g="new_york", v=(2, 1)),
    doc(a="search search world hello", tags=["red", "green", "42"], n=-64, g="tokyo",
        v=(100, -100)),
]

SEEDS = {}


def vec(*xs):
    return struct.pack("<%df" % len(xs), *xs)


def add(name, query, params=None, flags=DEFAULT, docs=None):
    docs = DOCS if docs is None else docs
    assert name not in SEEDS, name
    assert len(docs) <= 8
    body = query.encode("utf-8") if isinstance(query, str) else query
    assert b"\0" not in body, name
    if params is not None:
        body += b"\0"
        for k, v in params:
            k = k.encode() if isinstance(k, str) else k
            v = v.encode("utf-8") if isinstance(v, str) else v
            body += bytes([len(k)]) + k + bytes([len(v)]) + v
    SEEDS[name] = bytes([flags | (len(docs) << 4)]) + b"".join(docs) + body


# --- Grammar features -------------------------------------------------------
add("term", "hello")
add("terms_and", "hello world")
add("or", "hello | redis")
add("or_and_precedence", "hello world | redis search")
add("or_nested", "hello | (help | (word | naïve))")
add("and_nested", "(hello world) (search hello)")
add("not", "hello -world")
add("not_only", "-hello")
add("not_not", "--hello ~-~world")
add("optional", "~hello search")
add("optional_only", "~redis")
add("parens", "(hello | help) (world | word)")
add("parens_redundant", "((((hello))))")
add("all", "*")
add("all_and", "* -redis")
add("field", "@a:hello")
add("field_multi", "@a|b:(hello | redis)")
add("field_nested", "@a:(@b:hello) @a|b:(@b:redis)")
add("field_not", "@b:-hello -@a:world")
add("field_unknown", "@nope:hello @n:hello")
add("escapes", r"hello\-world c\+\+ \(x\) café\ naïve")
add("uppercase", "HELLO | CAFÉ | NAÏVE | Été")
add("utf8_multibyte", "日本 😀 naïve")
add("phrase", '"hello world"')
add("phrase_one_word", '"redis" "search search"')
add("phrase_escapes", r'"hello\ world \"quoted\" back\\slash"')
add("phrase_field", '@a:"world hello" | @b:"hello café" | @b:"world hello"')
add("phrase_spaces", '"  search \t world  hello  "')
add("prefix", "hel* wor*")
add("suffix", "*llo *ch")
add("infix", "*ell* *ear*")
add("prefix_field", "@b:re* -@a:*ld")
add("wildcard", "w'h?l*' w'*or?'")
add("wildcard_escapes", r"w'he\*llo' w'a\?b\\c\'d' w'caf?' w'*\q*'")
add("wildcard_field", "@a:w'wor*'")
add("fuzzy1", "%word%")
add("fuzzy2", "%%hallo%% %%wrld%%")
add("fuzzy3", "%%%rdeis%%% @b:%%%sarch%%%")
add("fuzzy_utf8", "%cafe% | %naive% | %%%cafés%%%")
add("tag", "@t:{red}")
add("tag_or", "@t:{red | green}")
add("tag_spaces", "@t:{ dark blue }")
add("tag_escapes", r"@t:{c\+\+ | a\|b | dark\ blue}")
add("tag_prefix", "@t:{bl* | gr*}")
add("tag_suffix_infix", "@t:{*ue | *ar*}")
add("tag_utf8_upper", "@t:{ÉTÉ | RED}")
add("tag_star_space", "@t:{ * ue | d* }")
add("tag_wrong_field", "@a:{hello} @nope:{red}")
add("numeric", "@n:[0 10]")
add("numeric_exclusive", "@n:[(0 (10]")
add("numeric_inf", "@n:[-inf +inf] @n:[(-inf (inf]")
add("numeric_inf_case", "@n:[-INF Inf]")
add("numeric_forms", "@n:[-3.5 1e1] @n:[.5 +63.5] @n:[-64 6.35E+1]")
add("numeric_empty_range", "@n:[10 0] | @n:[(1 1]")
add("numeric_wrong_field", "@a:[0 10] @missing:[0 1]")
add("numeric_negzero", "@n:[-0 0]")
add("geo", "@g:[2.35 48.85 10 km]")
add("geo_units", "@g:[0 0 200 m] | @g:[-0.12 51.5 5 mi] | @g:[139.7 35.7 3000 ft]")
add("geo_units_case", "@g:[0 0 1 KM] @g:[0 0 1 Mi]")
add("geo_edges", "@g:[180 0 0 m] @g:[-180 85.05112878 1 m] @g:[0 -85.05112878 0 km]")
add("geo_wrong_field", "@n:[0 0 1 km] @a:[0 0 1 km]")
add("missing", "ismissing(@t)")
add("missing_case", "ISMISSING( @n ) -IsMissing(@a)")
add("missing_escaped", r"ismissing(@we\-ird)")
add("ismissing_term", "ismissing ismissing*")
add("params_term", "$w", params=[("w", "HELLO")])
add("params_unresolved", "$w @n:[$lo $hi]")
add("params_numeric", "@n:[$lo ($hi]", params=[("lo", "-3.5"), ("hi", "+inf")])
add("params_geo", "@g:[$lon $lat $r km]", params=[("lon", "2.35"), ("lat", "48.85"), ("r", "5")])
add("params_tag", "@t:{$c | bl*}", params=[("c", "Dark Blue")])
add("params_replace", "$a", params=[("a", "world"), ("a", "redis")])
add("params_many", "$a $b",
    params=[("a", "hello"), ("b", "world")] + [("p%d" % i, "x") for i in range(8)])
add("params_truncated", "$a", params=[("a", "hello")])
SEEDS["params_truncated"] = SEEDS["params_truncated"][:-3]
add("params_empty_list", "hello", params=[])
add("knn", "*=>[KNN 2 @v $B AS score]", params=[("B", vec(1, 1))])
add("knn_hybrid", "(@t:{red | green} -hello)=>[KNN 1 @v $B]", params=[("B", vec(0, 0))])
add("knn_params", "*=>[knn $K @v $B ef_runtime $EF as dist]",
    params=[("K", "3"), ("B", vec(2, 2)), ("EF", "10")])
add("knn_ef", "@n:[0 100]=>[KNN 10 @v $B EF_RUNTIME 5]", params=[("B", vec(-1, 3))])
add("knn_k_zero", "*=>[KNN 0 @v $B]", params=[("B", vec(1, 2))])
add("knn_ties", "*=>[KNN 2 @v $B]", params=[("B", vec(0, 0.5))])
add("knn_other_field", "*=>[KNN 3 @w $B]", params=[("B", vec(1, 1))])
add("knn_dim3", "*=>[KNN 3 @v $B]", params=[("B", vec(1, 1, 1))])
add("knn_attrs", "hello=>{$weight: 2}=>[KNN 2 @v $B]", params=[("B", vec(1, 1))])
add("knn_unresolved", "*=>[KNN $K @v $B]")
add("err_eval_blob_size", "*=>[KNN 2 @v $B]", params=[("B", "abc")])
add("err_eval_blob_empty", "*=>[KNN 2 @v $B]", params=[("B", "")])
add("err_eval_blob_nan", "*=>[KNN 2 @v $B]", params=[("B", vec(float("nan"), 0))])
add("attrs", "hello=>{$weight: 2.0; $slop: 1; $inorder: true}")
add("attrs_all", '"hello world"=>{ $phonetic : false ; $inorder:FALSE;$slop:0;$weight:0.5; }')
add("attrs_group", "(hello | world)=>{$weight: 3} -(a b)=>{$slop: 2}")
add("attrs_merge", "(hello=>{$weight: 1})=>{$weight: 2; $slop: 3}=>{$inorder: true}")
add("attrs_on_unary", "(-hello)=>{$weight: 1e+300} (@a:world)=>{$weight: 0}")
add("attrs_repeat", "hello=>{$weight: 1; $weight: 2}")
add("complex", '@a|b:(hel* | "redis search") -@t:{gr*} @n:[(0 +inf] ~%%wrld%% '
    '(ismissing(@g) | @g:[2.35 48.85 100 km])')
add("complex_or", "(hello -world) | (@t:{42} @n:[-inf 0]) | (*ch ~redis)")
add("no_docs", "hello | -hello", docs=[])
add("one_doc", "@a:hello", docs=DOCS[:1])
add("spaces", " \t\n hello \r\n\x0b\x0c world \t")
add("pipes_tight", "hello|world|(redis)|-word")

# --- Error paths ------------------------------------------------------------
add("err_trailing_backslash", "hello\\")
add("err_lone_equals", "a = b")
add("err_unexpected_char", "hello, world")
add("err_unexpected_control", "a \x01")
add("err_after_star", "ab*c")
add("err_double_star", "ab**")
add("err_wildcard_unterminated", "w'abc")
add("err_wildcard_backslash_end", "w'abc\\")
add("err_wildcard_empty", "w''")
add("err_utf8_term", b"hello \xff")
add("err_utf8_overlong", b"\xc0\xaf")
add("err_utf8_surrogate", b"\xed\xa0\x80")
add("err_utf8_too_big", b"\xf4\x90\x80\x80")
add("err_utf8_truncated", b"ab\xe6\x97")
add("err_utf8_bad_continuation", b"\xe6\x41\x41 \xf0\x9f\x98")
add("err_utf8_wildcard", b"w'\xfe'")
add("err_utf8_phrase", b"\"ok \xc3\"")
add("err_utf8_fuzzy", b"%\xc3%")
add("err_utf8_tag", b"@t:{\xff}")
add("err_utf8_field", b"@\xff:x")
# Each lead byte's second-byte range at its edges (RFC 3629 table 3-7, the
# cases src/query/utf8.cc and Redis's own UTF-8 check treat apart): the
# lowest and highest valid sequence of each length and lead-byte class, and
# the first invalid one past each edge.
add("utf8_range_edges", b"\xc2\x80 \xdf\xbf \xe0\xa0\x80 \xe1\x80\x80 \xec\xbf\xbf "
    b"\xed\x9f\xbf \xee\x80\x80 \xef\xbf\xbf \xf0\x90\x80\x80 \xf1\x80\x80\x80 "
    b"\xf3\xbf\xbf\xbf \xf4\x80\x80\x80 \xf4\x8f\xbf\xbf")
add("err_utf8_overlong_2", b"\xc1\xbf")
add("err_utf8_overlong_3", b"\xe0\x9f\xbf")
add("err_utf8_overlong_4", b"\xf0\x8f\xbf\xbf")
add("err_utf8_f1_low", b"ok \xf1\x7f\x80\x80")
add("err_utf8_lead_f5", b"\xf5\x80\x80\x80")
add("err_phrase_unterminated", '"hello world')
add("err_phrase_backslash_end", '"hello\\')
add("err_phrase_empty", '""')
add("err_phrase_blank", '" \t "')
add("err_fuzzy_too_many", "%%%%a%%%%")
add("err_fuzzy_no_term", "%% x")
add("err_fuzzy_unbalanced", "%%word%")
add("err_fuzzy_backslash_end", "%word\\")
add("err_param_no_name", "$ x")
add("err_field_no_name", "@:hello")
add("err_field_empty_alt", "@a|:hello")
add("err_field_no_colon", "@a hello")
add("err_field_backslash_end", "@a\\")
add("err_missing_no_at", "ismissing(t)")
add("err_missing_no_close", "ismissing(@t x")
add("err_missing_bad_field", "ismissing(@)")
add("err_tag_param_no_name", "@t:{$}")
add("err_tag_param_not_whole", "@t:{$p x}")
add("err_tag_inner_star", "@t:{a*b}")
add("err_tag_brace", "@t:{a{b}")
add("err_tag_empty", "@t:{}")
add("err_tag_empty_alt", "@t:{red | }")
add("err_tag_lone_star", "@t:{*}")
add("err_tag_unterminated", "@t:{red")
add("err_tag_unterminated_param", "@t:{$p ")
add("err_tag_unterminated_star", "@t:{re*  ")
add("err_tag_backslash_end", "@t:{red\\")
add("err_tag_multi_field", "@t|u:{red}")
add("err_range_unterminated", "@n:[1 2")
add("err_range_one", "@n:[1]")
add("err_range_three", "@n:[1 2 3]")
add("err_range_multi_field", "@n|m:[1 2]")
add("err_range_min", "@n:[x 2]")
add("err_range_max", "@n:[1 (]")
add("err_range_overflow", "@n:[1e309 2]")
add("err_range_subnormal", "@n:[5e-324 1]")
add("err_range_underflow", "@n:[1e-400 1]")
add("err_range_exponent", "@n:[1e 2]")
add("err_range_exponent_sign", "@n:[1 1e+]")
add("err_range_dot", "@n:[. 2]")
add("err_range_hex", "@n:[0x10 2]")
add("err_geo_lon", "@g:[181 0 1 km]")
add("err_geo_lat", "@g:[0 86 1 km]")
add("err_geo_radius", "@g:[0 0 -1 km]")
add("err_geo_radius_inf", "@g:[0 0 inf km]")
add("err_geo_unit", "@g:[0 0 1 yd]")
add("err_geo_lat_nan_param", "@g:[0 $lat 1 km]", params=[("lat", "x")])
add("err_geo_lon_inf", "@g:[-inf 0 1 m]")
add("err_attrs_empty", "a=>{}")
add("err_attrs_no_dollar", "a=>{weight: 1}")
add("err_attrs_no_name", "a=>{$: 1}")
add("err_attrs_no_colon", "a=>{$weight 1}")
add("err_attrs_no_value", "a=>{$weight: }")
add("err_attrs_no_separator", "a=>{$weight: 1 $slop: 2}")
add("err_attrs_unterminated", "a=>{$weight: 1;")
add("err_attrs_weight", "a=>{$weight: -1}")
add("err_attrs_weight_inf", "a=>{$weight: inf}")
add("err_attrs_slop", "a=>{$slop: 1.5}")
add("err_attrs_slop_huge", "a=>{$slop: 99999999999999999999}")
add("err_attrs_inorder", "a=>{$inorder: yes}")
add("err_attrs_phonetic", "a=>{$phonetic: 1}")
add("err_attrs_unknown", "a=>{$boost: 2}")
add("err_arrow_other", "a=>x")
add("err_arrow_end", "a=>")
add("err_arrow_first", "=>{$weight: 1}")
add("err_arrow_after_pipe", "a | =>[KNN 1 @v $b]")
add("err_knn_not_whole", "hello world=>[KNN 1 @v $B]")
add("err_knn_in_group", "(*=>[KNN 1 @v $B])")
add("err_knn_negated", "-*=>[KNN 1 @v $B]")
add("err_knn_after_or", "a | *=>[KNN 1 @v $B]")
add("err_knn_trailing", "*=>[KNN 1 @v $B] hello")
add("err_knn_trailing_attrs", "*=>[KNN 1 @v $B]=>{$weight: 1}")
add("err_knn_empty", "*=>[]")
add("err_knn_keyword", "*=>[KNM 1 @v $B]")
add("err_knn_short", "*=>[KNN 1 @v]")
add("err_knn_k", "*=>[KNN -1 @v $B]")
add("err_knn_k_param", "*=>[KNN $K @v $B]", params=[("K", "ten"), ("B", vec(1, 1))])
add("err_knn_field", "*=>[KNN 1 v $B]")
add("err_knn_field_chars", "*=>[KNN 1 @v- $B]")
add("err_knn_field_utf8", b"*=>[KNN 1 @\xc3 $B]")
add("err_knn_blob_literal", "*=>[KNN 1 @v B]")
add("err_knn_blob_missing", "*=>[KNN 1 @v $B]", params=[("C", vec(1, 1))])
add("err_knn_option", "*=>[KNN 1 @v $B LIMIT 2]")
add("err_knn_option_no_value", "*=>[KNN 1 @v $B AS]")
add("err_knn_as_twice", "*=>[KNN 1 @v $B AS x AS y]")
add("err_knn_ef_twice", "*=>[KNN 1 @v $B EF_RUNTIME 1 EF_RUNTIME 2]")
add("err_knn_as_name", "*=>[KNN 1 @v $B AS a-b]")
add("err_knn_ef", "*=>[KNN 1 @v $B EF_RUNTIME x]")
add("err_param_missing", "$x", params=[("y", "1")])
add("err_param_empty", "$x", params=[("x", "")])
add("err_param_utf8", "$x", params=[("x", b"\xff")])
add("err_param_tag_missing", "@t:{$x}", params=[])
add("err_param_tag_empty", "@t:{$x}", params=[("x", "")])
add("err_param_numeric", "@n:[$x 1]", params=[("x", "abc")])
add("err_param_numeric_missing", "@n:[1 $x]", params=[])
add("err_dangling_minus", "hello -")
add("err_dangling_tilde", "~")
add("err_dangling_field", "hello @a:")
add("err_minus_pipe", "- | a")
add("err_minus_close", "(a -)")
add("err_unmatched_close", "hello)")
add("err_empty_parens", "()")
add("err_or_trailing_in_group", "(a |)")
add("err_or_leading", "| a")
add("err_or_leading_in_group", "(| a)")
add("err_or_trailing", "a |")
add("err_or_double", "a || b")
add("err_missing_close", "(a (b)")
add("err_empty_query", "")
add("err_blank_query", "  \t ")

# --- Caps: at the cap (parses) and one past it (a clean error) ---------------
add("cap_small_len_at", "a" * SMALL_LEN, flags=SMALL)
add("cap_small_len_past", "a" * (SMALL_LEN + 1), flags=SMALL)
add("cap_small_len_past_error_first", "(" * (SMALL_LEN + 1), flags=SMALL)
add("cap_small_depth_at", "-" * (SMALL_DEPTH - 1) + "a", flags=SMALL)
add("cap_small_depth_past", "-" * SMALL_DEPTH + "a", flags=SMALL)
add("cap_small_depth_groups_at", "(a (a (a (a -~-b))))", flags=SMALL)
add("cap_small_depth_groups_past", "(a (a (a (a (a -~-b)))))", flags=SMALL)
add("cap_small_nodes_at", " ".join(["a"] * (SMALL_NODES - 1)), flags=SMALL)
add("cap_small_nodes_past", " ".join(["a"] * SMALL_NODES), flags=SMALL)
add("cap_small_nodes_or_past", " | ".join(["a b"] * 11), flags=SMALL)
add("cap_default_depth_at", "-" * (DEFAULT_DEPTH - 1) + "a")
add("cap_default_depth_past", "-" * DEFAULT_DEPTH + "a")
add("cap_default_depth_parens", "(" * 2000 + "a" + ")" * 2000)
add("cap_default_nodes_at", " ".join(["a"] * (DEFAULT_NODES - 1)))
add("cap_default_nodes_past", " ".join(["a"] * DEFAULT_NODES))


# --- Generated from the grammar: valid queries that combine the features -----
# A fixed-seed random walk over the grammar table of docs/query.md, so the
# fuzzer starts from many valid shapes and "valid but rejected" is one
# mutation away. Every generated query must parse (tests/query_parser_harness_test.cc
# checks the gen_* seeds do).
def generated_queries(count, seed=12):
    import random
    rnd = random.Random(seed)
    params = {}

    def word():
        w = rnd.choice(WORDS)
        return w.upper() if rnd.random() < 0.2 else w

    def number():
        return rnd.choice(["1", "-2.5", "0", "+inf", "-inf", "(3", "1e3", ".5", "7."])

    def atom(depth):
        kind = rnd.randrange(14)
        if kind == 0:
            return word()
        if kind == 1:
            return word()[:3] + "*"
        if kind == 2:
            return "*" + word()[-3:]
        if kind == 3:
            return "*" + word()[1:4] + "*"
        if kind == 4:
            n = rnd.randint(1, 3)
            return "%" * n + word() + "%" * n
        if kind == 5:
            return "w'" + rnd.choice(["h?l*", "*or?", "c\\*fé", "re*s"]) + "'"
        if kind == 6:
            return '"' + " ".join(word() for _ in range(rnd.randint(1, 3))) + '"'
        if kind == 7:
            tags = [rnd.choice(["red", "dark blue", "c\\+\\+", "bl*", "*ue", "*ar*", "été"])
                    for _ in range(rnd.randint(1, 3))]
            return "@t:{" + " | ".join(tags) + "}"
        if kind == 8:
            return "@n:[" + number() + " " + number().lstrip("(").replace("1e3", "(1e3") + "]"
        if kind == 9:
            return "@g:[%s %s %s %s]" % (rnd.choice(["2.35", "-0.12", "180", "0"]),
                                         rnd.choice(["48.85", "51.5", "-85", "0"]),
                                         rnd.choice(["10", "0", "1.5"]),
                                         rnd.choice(["km", "m", "MI", "ft"]))
        if kind == 10:
            if rnd.random() < 0.5:
                params["w"] = "Hello"
                return "$w"
            params["lo"], params["hi"] = "-1", "63.5"
            return "@n:[$lo $hi]"
        if kind == 11:
            return "ismissing(@" + rnd.choice(["a", "n", "t"]) + ")"
        if kind == 12 and depth < 3:
            return "(" + expr(depth + 1) + ")"
        return "*" if rnd.random() < 0.3 else word()

    def primary(depth):
        p = atom(depth)
        if rnd.random() < 0.15:
            attrs = rnd.sample(["$weight: 2.5", "$slop: 1", "$inorder: true",
                                "$phonetic: FALSE"], rnd.randint(1, 2))
            p += "=>{" + "; ".join(attrs) + "}"
        return p

    def unary(depth):
        prefix = ""
        for _ in range(rnd.choice([0, 0, 0, 1, 1, 2])):
            prefix += rnd.choice(["-", "~", "@a:", "@a|b:"])
        return prefix + primary(depth)

    def expr(depth):
        chains = []
        for _ in range(rnd.choice([1, 1, 2, 3])):
            chains.append(" ".join(unary(depth) for _ in range(rnd.choice([1, 2, 2, 3]))))
        return " | ".join(chains)

    out = []
    for i in range(count):
        params.clear()
        if i % 8 == 7:
            q = "(" + expr(1) + ")=>[KNN 2 @v $B AS dist]"
            params["B"] = vec(1, 2)
        else:
            q = expr(0)
        out.append((q, sorted(params.items())))
    return out


for i, (q, ps) in enumerate(generated_queries(48)):
    add("gen_%02d" % i, q, params=ps if ps else None)


if __name__ == "__main__":
    write_corpus("query_parser", SEEDS)
