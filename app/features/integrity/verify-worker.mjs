// Entry of the integrity check's thread (check.server.ts): TypeScript, run through tsx as everywhere else.
import { register } from "tsx/esm/api";

register();
await import("./verify-worker.ts");
