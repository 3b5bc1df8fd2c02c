FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY jobs ./jobs
COPY scripts ./scripts
COPY migrations ./migrations
ENV NODE_ENV=production
USER node
EXPOSE 3000
CMD ["npx", "tsx", "src/main.ts"]
