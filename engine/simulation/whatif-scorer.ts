/**
 * The what-if's scoring of a cohort under both versions as a task for the parallel pool
 * (engine/parallel/parallel.ts): each chunk of rows is scored under both versions on whichever thread takes it,
 * and its changed items come back in a change log of its own, which the main thread joins in chunk order, so the
 * result is the same whoever scored what.
 */
import type { Id, IsoDate, StandardDocument } from "../../rules-schema/types";
import type { Cohort } from "../cohorts/cohort";
import { isShared, shareCohort } from "../cohorts/cohort-chunks";
import { chunkTask, ChunkedWork, PARALLEL_MIN_ROWS } from "../parallel/parallel";
import { bindWhatIf, whatIfColumnsOut, whatIfRowsInto, type ChangeLog, type WhatIfColumnsOut, type WhatIfPair } from "./whatif-chunks";

/** What a thread binds: both versions, the program, the date and the cohort (without its ids). */
export interface WhatIfBinding {
  baseline: StandardDocument;
  candidate: StandardDocument;
  programId: Id;
  date: IsoDate;
  cohort: Cohort;
}

/** A chunk's changed items as they travel between threads. */
interface ChunkChanges {
  item: Int32Array;
  before: Float64Array;
  after: Float64Array;
  length: number;
}

export const whatIfTask = chunkTask<WhatIfBinding, WhatIfPair, WhatIfColumnsOut>({
  ref: { module: "simulation/whatif-scorer.ts", name: "whatIfTask" },
  bind: ({ baseline, candidate, programId, cohort, date }) => bindWhatIf(baseline, candidate, programId, cohort, date),
  rows: (pair, start, end, out) => {
    const log = whatIfRowsInto(pair, start, end, out);
    const message: ChunkChanges = { item: log.item, before: log.before, after: log.after, length: log.length };
    return { message, transfer: [log.item.buffer, log.before.buffer, log.after.buffer] };
  },
});

/** The what-if's scoring of a cohort under both versions (engine/simulation/simulate.ts), on both cores when it is large. */
export interface WhatIfScores extends WhatIfColumnsOut {
  /** Changed items of row i are entries changeStart[i] … changeStart[i+1]−1. */
  changeStart: Int32Array;
  changes: { item: Int32Array; before: Float64Array; after: Float64Array; length: number };
  workerChunks: number;
  chunks: number;
}

/** Both versions of a standard bound to one cohort: every row scored under each, chunk by chunk (see the module comment). */
export class WhatIfScorer {
  readonly pair: WhatIfPair;
  readonly cohort: Cohort;
  private readonly work: ChunkedWork<WhatIfBinding, WhatIfPair, WhatIfColumnsOut>;

  constructor(baseline: StandardDocument, candidate: StandardDocument, programId: Id, cohort: Cohort, date: IsoDate, share: boolean) {
    const used = share && !isShared(cohort) ? shareCohort(cohort) : cohort;
    this.cohort = used;
    this.work = new ChunkedWork(
      whatIfTask,
      () => ({ baseline, candidate, programId, date, cohort: { ...used, ids: [] } }),
      () => bindWhatIf(baseline, candidate, programId, used, date),
    );
    // The worker binds while this thread does.
    if (share) this.work.offer();
    this.pair = this.work.bound;
  }

  scoreAll(options: { worker?: boolean; chunkSize?: number; onChunk?: (rowsTaken: number) => void } = {}): WhatIfScores {
    const size = this.cohort.size;
    const itemCount = this.pair.union.itemIds.length;
    const worker = (options.worker ?? size >= PARALLEL_MIN_ROWS) && isShared(this.cohort);
    const out = whatIfColumnsOut(size, itemCount, worker);
    const logs: ChunkChanges[] = [];
    const run = this.work.run(size, out, { ...options, worker }, (message, c) => {
      logs[c] = message as ChunkChanges | ChangeLog;
    });
    let entries = 0;
    for (let c = 0; c < run.chunks; c++) entries += logs[c].length;
    const changes = { item: new Int32Array(entries), before: new Float64Array(entries), after: new Float64Array(entries), length: entries };
    let at = 0;
    for (const log of logs) {
      changes.item.set(log.item.subarray(0, log.length), at);
      changes.before.set(log.before.subarray(0, log.length), at);
      changes.after.set(log.after.subarray(0, log.length), at);
      at += log.length;
    }
    const changeStart = new Int32Array(size + 1);
    for (let i = 0; i < size; i++) changeStart[i + 1] = changeStart[i] + out.changeCount[i];
    return { ...out, changeStart, changes, ...run };
  }
}
