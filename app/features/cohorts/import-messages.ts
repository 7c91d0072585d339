/** Messages between the thread that receives an upload and the thread that imports it (import-worker.ts). */
import type { CohortFormat } from "../../../applicant-files/applicants";
import type { ImportCohortResult } from "../../../db/cohort-import";
import type { FactDefinition } from "../../../rules-schema/types";

export interface ImportJob {
  databasePath: string;
  name: string;
  standardId: string | null;
  facts: FactDefinition[];
  format: CohortFormat;
  mapping?: Record<string, string>;
  headers?: string[];
  createdBy: number | null;
  /** Length of one write transaction while storing, in ms. */
  sliceMs: number;
  /** The pause after each, in ms: other writers take the lock then. */
  pauseMs: number;
  /** Shared with the receiving thread: above 0 while one of its writers waits for the lock (db/writers-waiting.ts). */
  writersWaiting?: Int32Array;
}

/** The job first (a thread may be started ahead, before there is one), then the upload's bytes in order, then its end. */
export type ToImportWorker = { kind: "job"; job: ImportJob } | { kind: "chunk"; bytes: Uint8Array } | { kind: "end" };

export type FromImportWorker =
  /** These bytes have been handed to the reader: the sender may send as many more. */
  | { kind: "consumed"; bytes: number }
  | { kind: "progress"; rowsRead: number; rowsStored: number; storing: boolean }
  /** The (hidden) cohort row exists: to be discarded should the thread die before it finishes. */
  | { kind: "started"; cohortId: number }
  | { kind: "result"; result: ImportCohortResult }
  | { kind: "failed"; message: string };
