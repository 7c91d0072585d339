/**
 * Two allocations at once (a what-if's baseline and candidate): the second on the parallel pool's worker
 * (engine/parallel/parallel.ts, `runBeside`), the first here.
 */
import type { Program } from "../../rules-schema/types";
import { onceTask, runBeside, sharedCopy } from "../parallel/parallel";
import { allocateColumns, idOrderOf, type AllocationColumns, type PoolAllocation, type RankColumns } from "./rank";

export interface AllocationJob {
  program: Program;
  columns: RankColumns;
  quotas: Record<string, number>;
  seed?: string;
}

/** An allocation's answer from the worker, besides the rank and outcome columns it writes into shared memory. */
export interface AllocationReply {
  pools: PoolAllocation[];
  admittedCount: number;
}

/** One allocation over ranking columns in shared memory, without applicant ids (the program draws no lots). */
export interface SharedAllocation {
  program: Program;
  /** A key that is the total column is left out (undefined) and taken from `total` again. */
  columns: Omit<RankColumns, "ids" | "keys" | "idOrder"> & { keys: Array<Float64Array | undefined>; idOrder: Int32Array };
  quotas: Record<string, number>;
  seed?: string;
  out: { rank: Int32Array; outcome: Uint8Array };
}

export const allocationTask = onceTask<SharedAllocation, AllocationReply>({
  ref: { module: "allocation/allocate-pair.ts", name: "allocationTask" },
  run: ({ program, columns, quotas, seed, out }) => {
    const keys = columns.keys.map((key) => key ?? columns.total);
    const result = allocateColumns(program, { ...columns, keys, ids: [] }, quotas, { seed });
    out.rank.set(result.rank);
    out.outcome.set(result.outcome);
    return { pools: result.pools, admittedCount: result.admittedCount };
  },
});

/**
 * The second allocation on the worker when `useWorker`, the worker is loaded, and the program draws no lots (a draw
 * reads applicant ids, which stay on the main thread); the first here. The worker reads copies of the ranking columns
 * in shared memory; if it fails or takes too long the main thread allocates the second itself. Same function, same
 * columns: the same answer either way.
 */
export function allocatePair(first: AllocationJob, second: AllocationJob, useWorker = true): [AllocationColumns, AllocationColumns] {
  const here = (job: AllocationJob) => allocateColumns(job.program, job.columns, job.quotas, { seed: job.seed });
  const lottery = second.program.allocation.kind === "quota" && second.program.allocation.tiePolicy === "lottery";
  if (!useWorker || lottery) return [here(first), here(second)];
  const c = second.columns;
  const size = c.size;
  const out = { rank: new Int32Array(new SharedArrayBuffer(4 * size)), outcome: new Uint8Array(new SharedArrayBuffer(size)) };
  const input = (): SharedAllocation => ({
    program: second.program,
    columns: {
      size,
      poolCodes: sharedCopy(c.poolCodes),
      poolNames: [...c.poolNames],
      eligible: sharedCopy(c.eligible),
      vetoed: sharedCopy(c.vetoed),
      total: sharedCopy(c.total),
      keys: c.keys.map((key) => (key === c.total ? undefined : sharedCopy(key))),
      idOrder: sharedCopy(c.idOrder ?? idOrderOf(c.ids)),
      ...(c.onePerKey ? { onePerKey: sharedCopy(c.onePerKey) } : {}),
    },
    quotas: second.quotas,
    seed: second.seed,
    out,
  });
  const [firstResult, reply] = runBeside(allocationTask, input, () => here(first));
  if (!reply) return [firstResult, here(second)];
  return [firstResult, { rank: out.rank, outcome: out.outcome, pools: reply.pools, admittedCount: reply.admittedCount }];
}
