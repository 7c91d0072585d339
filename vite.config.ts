import { vitePlugin as remix } from "@remix-run/dev";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  plugins: [
    remix({
      // JIFEN_BUILD_DIR lets parallel builds (e.g. two test runs) use separate output folders.
      buildDirectory: process.env.JIFEN_BUILD_DIR ?? "build",
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
  ],
  resolve: { alias: { "~": fileURLToPath(new URL("./app", import.meta.url)) } },
  // Pre-bundle Monaco so the dev server does not re-optimise late and load a second copy of React.
  optimizeDeps: { include: ["monaco-editor", "@monaco-editor/react"] },
  ssr: { external: ["better-sqlite3", "@node-rs/argon2"] },
  build: { chunkSizeWarningLimit: 8000 },
});
