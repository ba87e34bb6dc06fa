# syntax=docker/dockerfile:1
# One image for every role of the CSMS: `docker run <image> edge|worker|api|auth|transaction|firmware|
# smart-charging|migrate` (the argument is the `csms` role); `csmsctl` is on the PATH as well.
#
#   docker build -t csms:dev .
#   docker run --rm csms:dev --help
#   docker run --rm --entrypoint csmsctl csms:dev --help
#
# Stage 1 builds every workspace (`npx tsc -b`), then replaces node_modules with production dependencies
# only and assembles /out: package.json files, dist/ folders, workspace-local node_modules and the OCPP
# JSON schemas that are read at run time. Stage 2 copies /out onto a slim Node 22 image and runs as the
# unprivileged `node` user (uid 1000).
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY packages ./packages
COPY services ./services
COPY apps ./apps
RUN npm ci && npx tsc -b
# Production dependencies only (workspace symlinks under node_modules/@csms stay relative), then the
# runtime tree: no sources, no type declarations, no source maps (they point at src/, not shipped).
RUN npm ci --omit=dev \
  && mkdir -p /out \
  && cp -a package.json package-lock.json node_modules /out/ \
  && for ws in packages/* services/* apps/*; do \
       [ -f "$ws/package.json" ] || continue; \
       mkdir -p "/out/$ws" && cp "$ws/package.json" "/out/$ws/"; \
       if [ -d "$ws/dist" ]; then cp -a "$ws/dist" "/out/$ws/"; fi; \
       if [ -d "$ws/node_modules" ]; then cp -a "$ws/node_modules" "/out/$ws/"; fi; \
     done \
  && cp -a packages/ocpp/schemas /out/packages/ocpp/schemas \
  && find /out -path /out/node_modules -prune -o \( -name '*.d.ts' -o -name '*.map' -o -name '*.tsbuildinfo' \) -type f -print0 \
     | xargs -0 rm -f \
  && chmod 755 /out/apps/csms/dist/main.js /out/apps/csmsctl/dist/main.js

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    CSMS_HOST=0.0.0.0 \
    CSMS_ADMIN_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /out /app
RUN ln -s /app/apps/csms/dist/main.js /usr/local/bin/csms \
  && ln -s /app/apps/csmsctl/dist/main.js /usr/local/bin/csmsctl
# The image's own `node` user: no root at run time, no writable application files.
USER 1000:1000
EXPOSE 9000 9080 9464 50051
ENTRYPOINT ["node", "/app/apps/csms/dist/main.js"]
CMD ["--help"]
