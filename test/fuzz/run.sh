#!/bin/sh
# Runs every libFuzzer target of BUILD_DIR for SECONDS each, starting from the seed corpus in
# CORPUS_DIR/<target>/ (new inputs go to a scratch folder, so the seeds stay as committed). A crash, a
# sanitizer report or a timeout fails the run and shows the end of the fuzzer's log.
# usage: run.sh BUILD_DIR CORPUS_DIR SECONDS
set -eu
build=$1 corpus=$2 seconds=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in fuzz_auth_challenge fuzz_canonical_json fuzz_certificate fuzz_docker_config fuzz_dsse fuzz_jmespath \
              fuzz_manifest_message fuzz_rekor_bundle fuzz_sigstore_bundle fuzz_token_response fuzz_trusted_root; do
  mkdir -p "$scratch/$target"
  if ! ("$build/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -artifact_prefix="$build/" \
        "$scratch/$target" "$corpus/$target") >"$scratch/$target.log" 2>&1; then
    echo "$target failed:" >&2
    tail -n 40 "$scratch/$target.log" >&2
    exit 1
  fi
  echo "$target: $(grep -o 'Done [0-9]* runs' "$scratch/$target.log" || echo ran) in ${seconds}s"
done
