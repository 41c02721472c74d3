#!/usr/bin/env bash
# Runs the Python binding tests with Debian's pytest: run_pytest.sh PYTHON TESTS_DIR.
# Exit 77 (skip) when pytest or numpy is not importable.
set -euo pipefail
python=$1
tests=$2
"$python" -c 'import pytest, numpy' 2>/dev/null ||
    { echo "SKIP: $python lacks pytest or numpy (apt-get install python3-pytest python3-numpy)"; exit 77; }
exec "$python" -m pytest -q -p no:cacheprovider "$tests"
