# One image for every Relay process (realtime, web, admin, push, migrations):
# docker-compose.yml and deploy/k8s/ pick the process with the working
# directory and the command. Not built on the development machine (it has no
# Docker daemon); see docs/operations.md, "Containers".
#
#   docker build -t relay:local .
#
# Build: the workspace as `npm test` builds it (turbo, production builds of
# web and admin, bundled realtime and push, the Prisma client).
FROM node:24-bookworm-slim AS build
WORKDIR /relay
ENV TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1 npm_config_audit=false npm_config_fund=false
COPY . .
RUN npm ci --loglevel=error \
 && npx turbo run build --filter=@relay/realtime --filter=@relay/web --filter=@relay/admin --filter=@relay/push --output-logs=errors-only

# Run: the built workspace as it is (the Next apps and the migration script
# resolve packages from node_modules at run time), as the unprivileged `node`
# user. The scripts read .env: an empty one makes them take everything from
# the environment. The migration step regenerates the Prisma client, so that
# one folder is writable.
FROM node:24-bookworm-slim
WORKDIR /relay
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
COPY --from=build /relay /relay
RUN : > .env && chown -R node:node prisma/src/generated
USER node
EXPOSE 3000 3001 4000 4100 9464
CMD ["node", "apps/realtime/dist/index.js"]
