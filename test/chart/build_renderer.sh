#!/bin/sh
# Build chart-render (test/chart/render) into OUTDIR from Debian's Go packages, offline: GOPATH mode over
# /usr/share/gocode, where golang-github-masterminds-sprig-dev and friends install their sources. The
# package must sit inside a GOPATH (with its go.mod) for sprig's /v3 import path to resolve there.
set -eu
out=${1:?usage: build_renderer.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
src=$out/gopath/src/chartrender
mkdir -p "$src"
cp "$here/render/main.go" "$here/render/go.mod" "$src/"
cd "$src"
GO111MODULE=off GOFLAGS= GOPATH="$out/gopath:/usr/share/gocode" GOCACHE="$out/gocache" \
  go build -o "$out/chart-render" .
