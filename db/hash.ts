import { createHash } from "node:crypto";
import { canonicalJson } from "../rules-schema/canonical";

/** SHA-256 (hex) of the canonical JSON of a parsed document. */
export function contentHash(document: unknown): string {
  return createHash("sha256").update(canonicalJson(document)).digest("hex");
}
