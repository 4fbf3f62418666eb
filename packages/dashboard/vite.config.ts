import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The dashboard build. Output goes to dist/, which the control-plane Worker serves as
 * static assets (wrangler.toml [assets]) and `wrangler pages deploy` uploads as is.
 * Hashed files live under /assets/ (immutable caching in public/_headers).
 */
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
    assetsDir: "assets",
    chunkSizeWarningLimit: 500,
  },
  server: {
    // `pnpm --filter @fleetgate/dashboard dev` for UI work against a running `pnpm dev` (same origin via proxy).
    proxy: {
      "/api": { target: process.env.FLEETGATE_URL ?? "http://127.0.0.1:8787", ws: true, changeOrigin: false },
    },
  },
});
