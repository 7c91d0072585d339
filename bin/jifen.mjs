#!/usr/bin/env node
// Entry for `npx jifen`: runs the TypeScript CLI through tsx, so no separate compile step is needed.
import { register } from "tsx/esm/api";

register();
await import("../cli/main.ts");
