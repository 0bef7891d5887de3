import { defineConfig } from "vitest/config";

// Everything the page needs is bundled into /assets/ with content hashes;
// the server caches those forever and index.html never (docs/web.md).
export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    assetsDir: "assets",
    emptyOutDir: true,
    // No inline <script>/<style>: the CSP allows only files from 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: "es2020",
  },
  server: {
    // `npm run dev`: the API of a local `arca serve`.
    proxy: { "/api": "http://127.0.0.1:8080", "/blob": "http://127.0.0.1:8080" },
  },
  test: {
    include: ["tests/**/*.test.ts"],
    environment: "node",
  },
});
