#!/usr/bin/env bash
# Renders every Graphviz source in diagrams/ to a PNG beside it, about 1600 px wide: bash diagrams/render.sh
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dot >/dev/null 2>&1; then
  echo "render.sh: cannot find Graphviz 'dot'. Install it with 'apt-get install -y graphviz' (Debian/Ubuntu)," >&2
  echo "'brew install graphviz' (macOS) or see https://graphviz.org/download/, then run this script again." >&2
  exit 1
fi

# `size` only ever scales a drawing down, so wider layouts shrink to WIDTH_PX and narrower ones keep their size.
width_px="${WIDTH_PX:-1600}"
size_in="$(awk -v px="$width_px" 'BEGIN { printf "%.2f", px / 72 }')"

for src in *.dot; do
  out="${src%.dot}.png"
  dot -Tpng -Gdpi=72 -Gsize="${size_in},100" "$src" -o "$out"
  echo "wrote diagrams/$out ($(dot -V 2>&1 | awk '{print $5}'))"
done
