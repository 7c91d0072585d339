#!/usr/bin/env node
// `npm start` / `npm run serve`: prepares the database and serves the production build. TypeScript runs through tsx.
import { register } from "tsx/esm/api";

register();
await import("./main.ts");
