#!/usr/bin/env bash
# Checks the dynamic symbol table of a built libspeech2face: every defined symbol starts with
# s2f_, and every function the public header declares with S2F_API is actually exported.
set -euo pipefail
lib=$1
header=$2
exported=$(nm -D --defined-only "$lib" | awk '{print $NF}' | sort -u)
stray=$(grep -v '^s2f_' <<<"$exported" || true)
if [[ -n $stray ]]; then
    echo "FAIL: $lib exports symbols without the s2f_ prefix:"
    echo "$stray"
    exit 1
fi
declared=$(tr '\n' ' ' <"$header" | grep -o 'S2F_API[^;(]*(' |
    sed -nE 's/.*[^a-z0-9_](s2f_[a-z0-9_]*)[[:space:]]*\($/\1/p' | sort -u)
missing=$(comm -23 <(echo "$declared") <(echo "$exported"))
if [[ -n $missing ]]; then
    echo "FAIL: declared in $header but not exported by $lib:"
    echo "$missing"
    exit 1
fi
echo "ok: $(wc -l <<<"$exported") symbols exported, all s2f_*, all $(wc -l <<<"$declared") declared functions present"
