# Turns a data file into a C++ source defining its bytes (cmake -P):
#   cmake -DIN=file -DOUT=file.cc -DSYMBOL=name -P embed_facts.cmake
# defines respfuzz::engine::<SYMBOL> (the bytes) and <SYMBOL>Size.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# A line break every 32 bytes keeps the generated file readable.
string(REGEX REPLACE "((0x..,){32})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}.tmp"
     "// Generated from ${IN} by embed_facts.cmake: do not edit.\n"
     "#include <cstddef>\n"
     "namespace respfuzz::engine {\n"
     "extern const unsigned char ${SYMBOL}[];\n"
     "extern const size_t ${SYMBOL}Size;\n"
     "const unsigned char ${SYMBOL}[] = {\n${bytes}0};\n"
     "const size_t ${SYMBOL}Size = ${size};\n"
     "}  // namespace respfuzz::engine\n")
file(RENAME "${OUT}.tmp" "${OUT}")
