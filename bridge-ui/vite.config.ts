import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// `npm run dev` proxies the API and sockets to a gateway (default: the one `ofca up` starts).
const gateway = process.env.OFCA_GATEWAY_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "/", // the gateway serves dist/ at `/`
  plugins: [react()],
  build: {
    outDir: "dist",
    chunkSizeWarningLimit: 700, // the lazily loaded chart chunk (echarts core) is ~600 kB
  },
  server: {
    proxy: {
      "/api": { target: gateway, changeOrigin: true },
      "/ws": { target: gateway.replace(/^http/, "ws"), ws: true, changeOrigin: true },
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
