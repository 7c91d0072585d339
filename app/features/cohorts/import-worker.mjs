// Entry of a cohort import thread (import-in-worker.server.ts): the import is TypeScript, run through tsx as everywhere else.
import { register } from "tsx/esm/api";

register();
await import("./import-worker.ts");
