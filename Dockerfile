# syntax=docker/dockerfile:1
# The image of `releasegate serve`, built from the release archives, not from source: the image
# runs the very binary the release's checksums file names (docs/releasing.md).
#
#   bash scripts/build-release.sh v1.2.3 dist linux/amd64 linux/arm64
#   docker buildx build --platform linux/amd64,linux/arm64 --build-arg VERSION=1.2.3 -t releasegate:1.2.3 .
#
# No secret is baked in: the App's credentials and the Sentry tokens are given at run time, as
# RELEASEGATE_*_FILE variables naming mounted files (docs/app.md, "The container image").

# Unpack: check the archive against the release's checksums and take the binary out of it.
FROM alpine:3.22 AS unpack
ARG VERSION
ARG TARGETOS
ARG TARGETARCH
COPY dist/releasegate_${VERSION}_checksums.txt dist/releasegate_${VERSION}_${TARGETOS}_${TARGETARCH}.tar.gz /dist/
WORKDIR /dist
RUN grep " releasegate_${VERSION}_${TARGETOS}_${TARGETARCH}.tar.gz\$" "releasegate_${VERSION}_checksums.txt" | sha256sum -c - \
 && mkdir -p /out/bin /out/data /out/tmp /out/etc/ssl/certs \
 && tar -xzf "releasegate_${VERSION}_${TARGETOS}_${TARGETARCH}.tar.gz" -C /out/bin releasegate \
 && chmod 0555 /out/bin/releasegate \
 && chmod 1777 /out/tmp \
 && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ \
 && echo 'releasegate:x:10001:10001:releasegate:/data:/sbin/nologin' > /out/etc/passwd \
 && echo 'releasegate:x:10001:' > /out/etc/group

# The image: the static binary, CA certificates for GitHub and Sentry, a user, and nothing else
# (no shell, no package manager).
FROM scratch
COPY --from=unpack /out/etc/ /etc/
COPY --from=unpack /out/tmp /tmp
COPY --from=unpack /out/bin/releasegate /usr/local/bin/releasegate
COPY --from=unpack --chown=10001:10001 /out/data /data
ENV PATH=/usr/local/bin \
    RELEASEGATE_LISTEN=:8080 \
    RELEASEGATE_DATABASE_URL=/data/releasegate.db
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["releasegate", "app", "healthcheck"]
ENTRYPOINT ["releasegate"]
CMD ["serve"]
