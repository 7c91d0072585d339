/**
 * The what-if's per-row work (engine/simulation/simulate.ts), in a form both threads run (whatif-scorer.ts): score a row
 * under the baseline and the candidate, keep both totals and flags, and compare their item points, keeping only
 * the changed ones.
 *
 * Item sums are added up per block of SUM_BLOCK rows and the blocks folded in row order, whichever thread scored
 * them and whether or not a worker took part: floating-point sums depend on the order of addition, and a what-if
 * must give the same figures every time it runs.
 */
import type { Id, IsoDate, StandardDocument } from "../../rules-schema/types";
import type { Cohort } from "../cohorts/cohort";
import { bindColumnar, type ColumnarProgram } from "../scoring/columnar";
import { flagsOf } from "../cohorts/cohort-chunks";
import { CHUNK_MULTIPLE } from "../parallel/parallel";

/** Rows per block of item sums; chunks of rows given to threads are whole blocks. */
export const SUM_BLOCK = CHUNK_MULTIPLE;

export function sumBlocks(size: number): number {
  return Math.ceil(size / SUM_BLOCK);
}

/** Item ids of both versions (baseline order, then items only in the candidate) and where each version's items sit. */
export interface ItemUnion {
  itemIds: Id[];
  /** Per union item: its index in the baseline's items, −1 if absent. */
  beforeSlot: Int32Array;
  afterSlot: Int32Array;
  /** Both versions list the same items in the same order. */
  sameOrder: boolean;
}

export function itemUnion(baselineItemIds: readonly Id[], candidateItemIds: readonly Id[]): ItemUnion {
  const itemIds = [...baselineItemIds];
  const unionIndex = new Map(itemIds.map((id, k) => [id, k]));
  for (const id of candidateItemIds) {
    if (!unionIndex.has(id)) {
      unionIndex.set(id, itemIds.length);
      itemIds.push(id);
    }
  }
  const beforeSlot = new Int32Array(itemIds.length).fill(-1);
  const afterSlot = new Int32Array(itemIds.length).fill(-1);
  baselineItemIds.forEach((id, k) => (beforeSlot[unionIndex.get(id)!] = k));
  candidateItemIds.forEach((id, k) => (afterSlot[unionIndex.get(id)!] = k));
  const sameOrder = baselineItemIds.length === candidateItemIds.length && baselineItemIds.every((id, k) => candidateItemIds[k] === id);
  return { itemIds, beforeSlot, afterSlot, sameOrder };
}

/** Growable typed arrays for the changed items. */
export class ChangeLog {
  item: Int32Array<ArrayBuffer>;
  before: Float64Array<ArrayBuffer>;
  after: Float64Array<ArrayBuffer>;
  length = 0;
  constructor(capacity = 1024) {
    this.item = new Int32Array(capacity);
    this.before = new Float64Array(capacity);
    this.after = new Float64Array(capacity);
  }
  /** Room for `count` more entries (the arrays may be replaced: read them after this). */
  reserve(count: number): void {
    if (this.length + count <= this.item.length) return;
    const grow = Math.max(this.item.length * 2, this.length + count);
    const item = new Int32Array(grow);
    item.set(this.item);
    const b = new Float64Array(grow);
    b.set(this.before);
    const a = new Float64Array(grow);
    a.set(this.after);
    this.item = item;
    this.before = b;
    this.after = a;
  }
}

/**
 * Item points of both versions compared row by row: the changed ones go to the change log, and the points of
 * each version are summed per block (a small class: its loop optimises well).
 */
export class ItemDiff {
  private readonly blockBefore: Float64Array;
  private readonly blockAfter: Float64Array;
  private readonly unionA: Float64Array;
  private readonly unionB: Float64Array;
  constructor(
    private readonly union: ItemUnion,
    readonly changes: ChangeLog,
  ) {
    this.blockBefore = new Float64Array(union.itemIds.length);
    this.blockAfter = new Float64Array(union.itemIds.length);
    this.unionA = new Float64Array(union.itemIds.length);
    this.unionB = new Float64Array(union.itemIds.length);
  }

  /** Adds one row (item points in each version's own item order); returns how many of its items changed. */
  row(pointsA: Float64Array, pointsB: Float64Array): number {
    if (this.union.sameOrder) return this.rowInOrder(pointsA, pointsB);
    // Items added or removed by the revision: both rows in the union's order first (0 where a version lacks one).
    const { beforeSlot, afterSlot } = this.union;
    const { unionA, unionB } = this;
    for (let k = 0; k < beforeSlot.length; k++) {
      unionA[k] = beforeSlot[k] >= 0 ? pointsA[beforeSlot[k]] : 0;
      unionB[k] = afterSlot[k] >= 0 ? pointsB[afterSlot[k]] : 0;
    }
    return this.rowInOrder(unionA, unionB);
  }

  /** Item points of both versions in the union's order. */
  private rowInOrder(pointsA: Float64Array, pointsB: Float64Array): number {
    const { blockBefore, blockAfter, changes } = this;
    const n = blockBefore.length;
    changes.reserve(n);
    const { item, before, after } = changes;
    let at = changes.length;
    for (let k = 0; k < n; k++) {
      const pointsBefore = pointsA[k];
      const pointsAfter = pointsB[k];
      blockBefore[k] += pointsBefore;
      blockAfter[k] += pointsAfter;
      if (pointsBefore !== pointsAfter) {
        item[at] = k;
        before[at] = pointsBefore;
        after[at] = pointsAfter;
        at++;
      }
    }
    const changed = at - changes.length;
    changes.length = at;
    return changed;
  }

  /** Ends block b: its sums go to `blockSums` (per block: the items' sums before, then after) and start again at 0. */
  endBlock(blockSums: Float64Array, b: number): void {
    const n = this.blockBefore.length;
    const at = b * 2 * n;
    for (let k = 0; k < n; k++) {
      blockSums[at + k] = this.blockBefore[k];
      blockSums[at + n + k] = this.blockAfter[k];
      this.blockBefore[k] = 0;
      this.blockAfter[k] = 0;
    }
  }
}

/** Per-item sums of both versions: the blocks folded in row order. */
export function foldBlockSums(blockSums: Float64Array, itemCount: number): { before: Float64Array; after: Float64Array } {
  const before = new Float64Array(itemCount);
  const after = new Float64Array(itemCount);
  const blocks = itemCount ? blockSums.length / (2 * itemCount) : 0;
  for (let b = 0; b < blocks; b++) {
    const at = b * 2 * itemCount;
    for (let k = 0; k < itemCount; k++) {
      before[k] += blockSums[at + k];
      after[k] += blockSums[at + itemCount + k];
    }
  }
  return { before, after };
}

/** Per-row outputs of the what-if's scoring, in shared memory when a worker writes them too. */
export interface WhatIfColumnsOut {
  totalBefore: Float64Array;
  totalAfter: Float64Array;
  /** ELIGIBLE and VETOED bits (engine/cohorts/cohort-chunks.ts). */
  flagsBefore: Uint8Array;
  flagsAfter: Uint8Array;
  /** Changed items per row. */
  changeCount: Int32Array;
  /** Per block of SUM_BLOCK rows: each union item's sum before, then after. */
  blockSums: Float64Array;
}

export function whatIfColumnsOut(size: number, itemCount: number, shared: boolean): WhatIfColumnsOut {
  const buffer = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return {
    totalBefore: new Float64Array(buffer(8 * size)),
    totalAfter: new Float64Array(buffer(8 * size)),
    flagsBefore: new Uint8Array(buffer(size)),
    flagsAfter: new Uint8Array(buffer(size)),
    changeCount: new Int32Array(buffer(4 * size)),
    blockSums: new Float64Array(buffer(8 * 2 * itemCount * sumBlocks(size))),
  };
}

/** Both versions bound to one cohort and date; the candidate takes the baseline's derived facts when they agree. */
export interface WhatIfPair {
  baseline: ColumnarProgram;
  candidate: ColumnarProgram;
  union: ItemUnion;
}

export function bindWhatIf(baseline: StandardDocument, candidate: StandardDocument, programId: Id, cohort: Cohort, date: IsoDate): WhatIfPair {
  const programBefore = bindColumnar(baseline, programId, cohort, date);
  const programAfter = bindColumnar(candidate, programId, cohort, date, { derivedFrom: { program: programBefore, doc: baseline } });
  return { baseline: programBefore, candidate: programAfter, union: itemUnion(programBefore.itemIds, programAfter.itemIds) };
}


/**
 * Scores rows [start, end) under both versions into `out`, their changed items into a new change log, which it
 * returns. `start` is a multiple of SUM_BLOCK, and `end` one too or the cohort's end.
 */
export function whatIfRowsInto(pair: WhatIfPair, start: number, end: number, out: WhatIfColumnsOut): ChangeLog {
  const { baseline, candidate } = pair;
  const stateA = baseline.state;
  const stateB = candidate.state;
  const changes = new ChangeLog(Math.max(1024, end - start));
  const diff = new ItemDiff(pair.union, changes);
  const size = out.totalBefore.length;
  for (let i = start; i < end; i++) {
    out.totalBefore[i] = baseline.scoreRow(i);
    out.flagsBefore[i] = flagsOf(stateA);
    // After the baseline: the candidate may read the baseline's derived facts of this row.
    out.totalAfter[i] = candidate.scoreRow(i);
    out.flagsAfter[i] = flagsOf(stateB);
    out.changeCount[i] = diff.row(baseline.items, candidate.items);
    if ((i + 1) % SUM_BLOCK === 0 || i + 1 === size) diff.endBlock(out.blockSums, Math.floor(i / SUM_BLOCK));
  }
  return changes;
}
