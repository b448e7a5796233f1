# One image for the api and the worker (docker-compose picks the command). Node runs our
# TypeScript directly (type stripping), so there is no build step.
FROM node:24-bookworm-slim

# ffmpeg: MP3 decoding and the video output (fonts-dejavu-core: its title cards).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production CI=true
RUN npm install -g pnpm@10.34.9

COPY . .
RUN pnpm install --frozen-lockfile --prod

# Uploads, outputs and cached models: mount a volume here (shared by api and worker).
ENV STORAGE_DIR=/data/storage
VOLUME ["/data"]

EXPOSE 3000
CMD ["node", "apps/api/src/main.ts"]
