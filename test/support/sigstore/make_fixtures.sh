#!/bin/bash
# Make the keyless test fixtures: start mock_sigstore.js, sign with @sigstore/sign (an independent signer)
# every kind of bundle signet verifies plus broken copies and cosign's keyless layer, check a sample with
# @sigstore/verify, stop the mock. OUTDIR is recreated; the layout is listed in README.md here.
#
# usage: make_fixtures.sh OUTDIR     (needs `scripts/install-deps`, which installs node_modules here)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: make_fixtures.sh OUTDIR}
[ -d "$here/node_modules/@sigstore/sign" ] || { echo "make_fixtures.sh: $here/node_modules is missing: run scripts/install-deps" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/cosign" "$out/cosign-other"
work=$(mktemp -d)
mock=
cleanup() { [ -z "$mock" ] || kill "$mock" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

node "$here/mock_sigstore.js" "$work/mock" > "$work/mock.out" 2> "$work/mock.log" &
mock=$!
for _ in $(seq 100); do grep -q READY "$work/mock.out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$work/mock.out" || { echo "make_fixtures.sh: the mock did not start:" >&2; cat "$work/mock.log" >&2; exit 1; }
url=$(cat "$work/mock/url")
cp "$work/mock/"{trusted_root.json,fulcio-chain.pem,rekor.pub,ctlog.pub,tsa-chain.pem} "$out/"

# What is signed: a blob with a unique line, and an in-toto statement about it.
printf 'signet keyless fixture %s\n' "$(date +%s%N)" > "$out/blob.txt"
sha=$(sha256sum "$out/blob.txt" | cut -d' ' -f1)
printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"blob.txt","digest":{"sha256":"%s"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"https://example.com/build/v1","externalParameters":{}},"runDetails":{"builder":{"id":"https://example.com/builder"}}}}\n' \
  "$sha" > "$out/statement.json"
echo signer@example.com > "$out/identity"
echo https://issuer.example.com > "$out/issuer"

# A GitHub Actions signer: a URI identity, and claims the mock turns into Fulcio extensions .1.2-.1.22.
gh_identity=https://github.com/acme/app/.github/workflows/build.yml@refs/heads/main
gh_issuer=https://token.actions.githubusercontent.com
cat > "$out/github-claims.json" <<JSON
{"repository":"acme/app","ref":"refs/heads/main","sha":"0123456789abcdef0123456789abcdef01234567","workflow":"build",
"event_name":"push","job_workflow_ref":"acme/app/.github/workflows/build.yml@refs/heads/main",
"job_workflow_sha":"0123456789abcdef0123456789abcdef01234567","runner_environment":"github-hosted",
"repository_id":"1234","repository_owner":"acme","repository_owner_id":"5678",
"workflow_ref":"acme/app/.github/workflows/build.yml@refs/heads/main","workflow_sha":"0123456789abcdef0123456789abcdef01234567",
"repository_visibility":"public","run_id":"42","run_attempt":"1"}
JSON

# Signing runs in parallel (one mock serves them all); `wait` on each pid makes any failure fatal.
pids=()
run() { "$@" 2>> "$work/sign.log" & pids+=($!); }
s() { run node "$here/sign.js" "$url" "$@"; }
s blob "$out/blob.txt" "$out/blob.bundle.json"
s blob "$out/blob.txt" "$out/blob-v02.bundle.json" --v02
s blob "$out/blob.txt" "$out/blob-tsa.bundle.json" --tsa
s blob "$out/blob.txt" "$out/blob-notlog-tsa.bundle.json" --tsa --no-tlog
s dsse "$out/statement.json" "$out/dsse.bundle.json"
s dsse "$out/statement.json" "$out/dsse-intoto.bundle.json" --intoto
s dsse "$out/statement.json" "$out/dsse-tsa.bundle.json" --tsa
s blob "$out/blob.txt" "$out/github.bundle.json" --identity "$gh_identity" --issuer "$gh_issuer" \
  --claims "$(tr -d '\n' < "$out/github-claims.json")"
# cosign's layer for an image that need not exist: the payload only names its digest.
digest="sha256:$(printf 'signet keyless fixture image %s' "$sha" | sha256sum | cut -d' ' -f1)"
echo "$digest" > "$out/cosign/digest"
echo registry.example.com/team/app > "$out/cosign/repository"
run node "$here/cosign_keyless.js" "$url" "registry.example.com/team/app@$digest" "$out/cosign" --tsa
# A second image's layer: its Rekor entry is valid, but for another signature.
other="sha256:$(printf 'signet keyless fixture other image %s' "$sha" | sha256sum | cut -d' ' -f1)"
echo "$other" > "$out/cosign-other/digest"
run node "$here/cosign_keyless.js" "$url" "registry.example.com/team/app@$other" "$out/cosign-other"
for p in "${pids[@]}"; do wait "$p" || { echo "make_fixtures.sh: signing failed:" >&2; cat "$work/sign.log" >&2; exit 1; }; done

t() { node "$here/tamper.js" "$out/$1.bundle.json" "$out/bad-$2.bundle.json" "$2"; }
t blob sig; t blob set; t blob body; t blob checkpoint; t blob cert; t blob-tsa tsa; t dsse payload

# The independent verifier must accept the good bundles and refuse the broken ones.
root=$out/trusted_root.json
check() { # check OK|FAIL BUNDLE [ARTIFACT] [verify.js options], names relative to OUTDIR
  local want=$1 bundle=$2 got; shift 2
  got=$(cd "$out" && node "$here/verify.js" "$root" "$bundle" "$@" || true)
  [ "${got%% *}" = "$want" ] || { echo "make_fixtures.sh: @sigstore/verify on $bundle: wanted $want, got: $got" >&2; return 1; }
}
id=(--identity '^signer@example\.com$' --issuer https://issuer.example.com)
checks=(
  "OK blob.bundle.json blob.txt ${id[*]}"
  "OK blob-tsa.bundle.json blob.txt --timestamps 2"
  "OK blob-notlog-tsa.bundle.json blob.txt --tlogs 0"
  "OK dsse-intoto.bundle.json"
  "OK dsse-tsa.bundle.json --timestamps 2"
  "OK github.bundle.json blob.txt --identity ^https://github\.com/acme/app/ --issuer $gh_issuer"
  "FAIL blob.bundle.json blob.txt --identity ^someone@example\.com$"
  "FAIL bad-set.bundle.json blob.txt"
  "FAIL bad-payload.bundle.json"
)
pids=()
for c in "${checks[@]}"; do
  # shellcheck disable=SC2086  # each entry is a word list; none of its words has a space
  (set -f; check $c) & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || exit 1; done
echo "make_fixtures.sh: wrote $out (${#checks[@]} checks by @sigstore/verify passed)"
