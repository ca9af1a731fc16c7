"""Shared writer for the seed generators, harnesses/<name>/seeds.py."""
import os
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def write_corpus(harness, seeds):
    """Replaces corpus/<harness>/*.bin with `seeds` ({name: bytes}).

    RESPFUZZ_SEEDS_ROOT, when set, replaces the repository root (the seed
    check writes to a scratch tree and compares).

    The files are written to a scratch directory first and moved into place
    only when all of them are written, so a failure leaves the corpus as it was.
    """
    out = os.path.join(os.environ.get("RESPFUZZ_SEEDS_ROOT", ROOT), "corpus", harness)
    os.makedirs(out, exist_ok=True)
    # Beside corpus/<harness>/, never inside it: a killed run leaves nothing a
    # replay or the OSS-Fuzz zip would pick up.
    scratch = tempfile.mkdtemp(prefix=f".{harness}-seeds-", dir=os.path.dirname(out))
    try:
        for name, data in sorted(seeds.items()):
            with open(os.path.join(scratch, name + ".bin"), "wb") as fh:
                fh.write(data)
        for f in os.listdir(out):
            if f.endswith(".bin"):
                os.remove(os.path.join(out, f))
        for f in os.listdir(scratch):
            os.replace(os.path.join(scratch, f), os.path.join(out, f))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"wrote {len(seeds)} seeds to {out}", file=sys.stderr)
