#!/usr/bin/env node
// `npm start` / `npm run serve`: prepares the database and serves the production build. TypeScript runs through tsx.
import { setFlagsFromString } from "node:v8";
import { register } from "tsx/esm/api";

// A heap may grow to three times what survived the last full garbage collection before the next one (V8's own
// rule gave about 1.3-1.6 here). Under batch load this thread keeps little but takes in buffers (request chunks,
// answers) at ~70 MB/s, which count against that limit: V8's rule then ran a full collection every 0.3-0.5 s, this
// one every 1.5-2 s. `JIFEN_HEAP_GROWING_PERCENT=0` restores V8's rule; see
// docs/decisions/016-receiving-thread-garbage-collection.md.
const growing = process.env.JIFEN_HEAP_GROWING_PERCENT?.trim() || "200";
if (/^\d{1,4}$/.test(growing)) setFlagsFromString(`--heap-growing-percent=${growing}`);
else console.warn(`JIFEN_HEAP_GROWING_PERCENT=${growing} is not a whole number of percent; V8's own rule applies.`);

// The production server runs in production mode whatever the shell says (a test runner sets NODE_ENV=test):
// Express and Remix then never put a stack trace or a file path in an answer.
process.env.NODE_ENV = "production";

register();
await import("./main.ts");
