// Entry of the scoring worker (engine/parallel.ts): the engine is TypeScript, run through tsx as everywhere else.
import { register } from "tsx/esm/api";

register();
await import("./parallel-worker.ts");
