#!/usr/bin/env bash
# Builds libspeech2face from scratch in build-tests/ and runs the whole test suite.
# Ends with one summary line "N passed, N failed"; exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir=${S2F_TEST_BUILD_DIR:-build-tests}

if [[ -d $build_dir ]]; then
    meson setup --reconfigure "$build_dir" -Dwerror=true -Dtests=enabled
else
    meson setup "$build_dir" -Dwerror=true -Dtests=enabled
fi
meson compile -C "$build_dir"

status=0
meson test -C "$build_dir" -v --print-errorlogs || status=$?

/usr/bin/python3 - "$build_dir/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = 0
for line in open(sys.argv[1]):
    result = json.loads(line)["result"]
    if result in ("OK", "EXPECTEDFAIL", "SKIP"):
        passed += result != "SKIP"
    else:
        failed += 1
print(f"{passed} passed, {failed} failed")
PY
exit $status
