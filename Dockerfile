# grpclb-probe as an image: the single executable (Node SEA, `npm run sea`) on distroless/cc,
# which has glibc and libstdc++ and nothing else: no shell, no npm, no dev dependencies.
#   podman build -t grpclb-probe:0.1.0 .        (or docker build)
#   kubectl run grpclb-probe --rm -i --restart=Never --image=REGISTRY/grpclb-probe:0.1.0 -- run -t greeter.shop:50051

# Build stage: Node 20 on Debian 12, the same glibc as the runtime stage.
FROM docker.io/library/node:20-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
# No install scripts: `prepare` would compile src/ before it is copied; esbuild finds its
# binary through its optional dependency package.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY protos ./protos
COPY scripts ./scripts
COPY src ./src
RUN npm run sea

# Runtime stage: one file.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /build/dist/grpclb-probe-linux-x64 /usr/local/bin/grpclb-probe
# Numeric, so runAsNonRoot can check it (the manifests run as 1000:1000 too).
USER 1000:1000
EXPOSE 50051
ENTRYPOINT ["grpclb-probe"]
CMD ["--help"]
