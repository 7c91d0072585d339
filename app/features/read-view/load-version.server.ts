/** Loads a version of a standard for the read view and the try page: the stored text, parsed and validated. */
import { validateDocumentText } from "../../../rules-schema/validate";
import type { StandardDocument } from "../../../rules-schema/types";
import { loadVersionOr404 } from "~/lib/versions.server";

export interface LoadedVersion {
  id: number;
  standardId: string;
  versionLabel: string;
  status: string;
  revision: number;
  /** The version's identity as the workflow recorded it (the database, not the document's own fields). */
  effectiveFrom: string | null;
  effectiveTo: string | null;
  documentNumber: string | null;
  announcedOn: string | null;
  /** The parsed document, or null when the stored text is not JSON (a draft being edited). */
  document: StandardDocument | null;
  /** Number of validation errors (0 = the engine can score it). */
  errorCount: number;
}

export function loadVersionDocument(params: { standardId?: string; versionId?: string }): LoadedVersion {
  const version = loadVersionOr404(params);
  const validation = validateDocumentText(version.document);
  let document: StandardDocument | null = null;
  try {
    document = JSON.parse(version.document) as StandardDocument;
  } catch {
    document = null;
  }
  return {
    id: version.id,
    standardId: version.standardId,
    versionLabel: version.versionLabel,
    status: version.status,
    revision: version.revision,
    effectiveFrom: version.effectiveFrom,
    effectiveTo: version.effectiveTo,
    documentNumber: version.documentNumber,
    announcedOn: version.announcedOn,
    document,
    errorCount: validation.problems.filter((p) => p.severity === "error").length,
  };
}
