// Entry of a batch worker (app/api/batch-pool.server.ts): the API is TypeScript, run through tsx as everywhere else.
import { register } from "tsx/esm/api";

register();
await import("./batch-worker.ts");
