# rpchost as a container image: a static binary (CGO_ENABLED=0: wazero,
# pgx and bbolt are pure Go) on a distroless base, running as a non-root
# user. Plugins and configuration are not in the image: mount them
# (docs/deploy.md).
#
#   docker build -t rpchost .
#   docker run -p 8088:8088 -v "$PWD/plugins:/plugins" rpchost
#
# Paths inside the image (deploy/container/config.yaml, which a mounted
# /etc/rpchost/config.yaml replaces):
#   /plugins    the plugin directory: read-only for a server that takes no
#               uploads, writable for uploads or deploy.dsn (replicas
#               write the versions they learn from the database there)
#   /cache      the compilation cache (cache.dir): per machine, see docs
#   /data       the bbolt store (store.dir) when store.driver is bbolt

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, so that a change to the sources does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/rpchost ./cmd/rpchost \
 && mkdir -p /out/plugins /out/cache /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/rpchost /usr/local/bin/rpchost
COPY deploy/container/config.yaml /etc/rpchost/config.yaml
# Empty and owned by the image's user (65532), so that they work unmounted too.
COPY --from=build --chown=65532:65532 /out/plugins /plugins
COPY --from=build --chown=65532:65532 /out/cache /cache
COPY --from=build --chown=65532:65532 /out/data /data
# rpchost reads ./config.yaml when present.
WORKDIR /etc/rpchost
USER 65532:65532
EXPOSE 8088
ENTRYPOINT ["/usr/local/bin/rpchost"]
CMD ["serve"]
