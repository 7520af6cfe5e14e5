# signet's container image: built on Debian bookworm, shipped distroless-style.
#
#   podman build -t signet:0.1.0 .        (or: buildah bud -t signet:0.1.0 .)
#
# The runtime stage holds the signet binary, exactly the shared libraries `ldd` lists for it (and the
# loader), the CA certificates and an /etc/passwd naming uid 65532: no shell, no package manager. It runs
# as 65532 on a read-only root filesystem; the only path it may write is the TUF cache volume.
#
# Build arguments:
#   SIGNET_TESTS=1   also build and run the crypto and policy unit tests in the build stage (they need
#                    no registry); the image is the same either way.
#   DEBIAN_IMAGE   the base image, for mirrors and air-gapped builds (same release).

ARG DEBIAN_IMAGE=docker.io/library/debian:12.11-slim

FROM ${DEBIAN_IMAGE} AS build
ARG SIGNET_TESTS=0
# The build subset of scripts/install-deps (test/deploy/dockerfile_lint.py checks it stays a subset).
# catch2 and libbenchmark-dev are headers and small libraries CMake's configure step looks for; Debian's
# npm fetches the TUF seed that holds the sigstore public-good trusted root signet embeds
# (crypto/fetch_tuf_seed.py).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libboost1.81-dev libssl-dev rapidjson-dev libyaml-cpp-dev libre2-dev libcbor-dev zlib1g-dev \
      catch2 libbenchmark-dev python3 ca-certificates openssl nodejs npm \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=$([ "$SIGNET_TESTS" = 1 ] && echo ON || echo OFF) \
 && cmake --build build --target signet \
 && if [ "$SIGNET_TESTS" = 1 ]; then \
      cmake --build build --target crypto_unit_tests policy_unit_tests policy_engine_tests \
        policy_conditions_tests policy_jmespath_tests \
      && ctest --test-dir build --output-on-failure \
           -R '^(crypto_unit_tests|policy_unit_tests|policy_engine_tests|policy_conditions_tests|policy_jmespath_tests): '; \
    fi

# The runtime file tree, assembled here because the final stage has no shell to do it with.
RUN set -e; \
    mkdir -p /rootfs/usr/local/bin /rootfs/etc/ssl/certs /rootfs/var/cache/signet /rootfs/tmp; \
    strip --strip-unneeded -o /rootfs/usr/local/bin/signet build/server/signet; \
    for lib in $(ldd build/server/signet | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do \
      cp --parents --dereference "$lib" /rootfs; \
    done; \
    cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/; \
    echo 'nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin' > /rootfs/etc/passwd; \
    echo 'nonroot:x:65532:' > /rootfs/etc/group; \
    chown 65532:65532 /rootfs/var/cache/signet; \
    chmod 1777 /rootfs/tmp; \
    /rootfs/usr/local/bin/signet version

FROM scratch
COPY --from=build /rootfs/ /
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    XDG_CACHE_HOME=/var/cache \
    HOME=/nonexistent
# The TUF cache (--tuf-cache, default $XDG_CACHE_HOME/signet/tuf) is the one path signet writes.
VOLUME ["/var/cache/signet"]
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["/usr/local/bin/signet"]
CMD ["serve", "--policy", "/etc/signet/policies", "--tls-cert", "/etc/signet/tls/tls.crt", "--tls-key", "/etc/signet/tls/tls.key"]
LABEL org.opencontainers.image.title="signet" \
      org.opencontainers.image.description="Kubernetes admission webhook that verifies container image signatures"
