#!/usr/bin/env bash
# Which pairs of interpreter instructions run most often: finds candidates for fused
# instructions. Builds the CLI with the `interp-op-profile` feature (loop dispatch, so much
# slower than a normal build) into its own target directory, runs the given arguments of
# `wasmtier run --tier=interp` and prints the top pairs with their share of all executed
# instructions.
#
# Usage: scripts/op-profile.sh [-n TOP] WASMTIER-RUN-ARGS...
#   e.g. scripts/op-profile.sh -n 40 benches/wasm/coremark.wasm 200
set -euo pipefail
top=30
if [[ "${1:-}" == "-n" ]]; then top=$2; shift 2; fi
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target/op-profile}
cargo build --release -q -p wasmtier-cli --features interp-op-profile \
    --manifest-path "$root/Cargo.toml" --target-dir "$target"
bin=$target/release/wasmtier
counts=$(mktemp)
trap 'rm -f "$counts"' EXIT
WASMTIER_OP_PROFILE=$counts "$bin" run --tier=interp "$@" > /dev/null
# Handler addresses are relative to the `unreachable` handler; nm gives link-time addresses.
nm -C "$bin" | python3 -c '
import sys
top, counts = int(sys.argv[1]), sys.argv[2]
names, anchor = {}, None
for line in sys.stdin:
    parts = line.split(maxsplit=2)
    if len(parts) == 3 and parts[2].startswith("wasmtier_interp::handlers::"):
        name = parts[2].strip()[len("wasmtier_interp::handlers::"):]
        names[int(parts[0], 16)] = name
        if name == "unreachable":
            anchor = int(parts[0], 16)
rows = [tuple(map(int, line.split())) for line in open(counts)]
total = sum(r[0] for r in rows)
print(f"{total} instructions executed")
name = lambda a: "(start)" if a == 0 else names.get(anchor + a, hex(a))
for count, previous, current in rows[:top]:
    print(f"{100 * count / total:6.2f}%  {name(previous):32} -> {name(current)}")
' "$top" "$counts"
