import { getVersion, type VersionRecord } from "../../db/standards";
import { getDb } from "./db.server";

/** The version named by a route's `:standardId` and `:versionId`, or a 404 when there is no such version of that standard. */
export function loadVersionOr404(params: { standardId?: string; versionId?: string }): VersionRecord {
  const versionId = Number(params.versionId);
  const version = Number.isInteger(versionId) ? getVersion(getDb(), versionId) : undefined;
  if (!version || version.standardId !== params.standardId) throw new Response("Not found", { status: 404 });
  return version;
}
