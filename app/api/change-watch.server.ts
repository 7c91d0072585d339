/**
 * Lets the API keep what it reads on every request (token verifications, the version in effect on a date) in memory
 * without ever serving it stale: a cache is valid for one `generation`, and the generation moves on as soon as the
 * database may have changed under it.
 *
 * Two ways the database changes: another connection commits (the admin screens on the Remix side, `jifen token
 * revoke` in another process), which SQLite reports through `PRAGMA data_version`; or something writes through this
 * very connection (when the API is mounted inside Remix and shares its connection), which shows in
 * `total_changes()`. The API's own writes (decision log, token last-used time) go through `ownWrite` and its kin,
 * which check before writing and take note of the count after, so they do not empty the caches.
 *
 * Reading `data_version` outside a transaction takes and releases SQLite's shared-memory read lock (system calls,
 * ~10 µs under load here). Single evaluations therefore work from the last generation seen (`lastSeen`) and have it
 * checked when their decisions are committed, inside the write transaction that holds the lock anyway
 * (`ownTransaction`); a request whose generation is no longer current is not logged and starts again.
 */
import type { Transaction } from "better-sqlite3";
import type { JifenDb } from "../../db/connection";
import { startWaitingToWrite } from "../../db/writers-waiting";
import { ApiError, apiProblem } from "./errors.server";

/** True for SQLite's "database is locked" (SQLITE_BUSY and its extended codes). */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

/** Something to wait on for a millisecond between attempts (Atomics.wait sleeps without spinning). */
const pause = new Int32Array(new SharedArrayBuffer(4));

/** 503 when the write lock could not be had in time: nothing was written, and the request can be sent again. */
export function databaseBusy(): ApiError {
  return new ApiError(503, [apiProblem("api.databaseBusy", "", "数据库正忙，请稍后重试", "The database is busy; please retry")], { "Retry-After": "1" });
}

interface Pluck {
  get(): unknown;
}

class ChangeWatch {
  private readonly dataVersionQuery: Pluck;
  private readonly totalChangesQuery: Pluck;
  private dataVersion: unknown;
  private expectedChanges: unknown;
  private generation = 0;
  private readonly transaction: Transaction<(write: (generation: number) => unknown) => unknown>;
  /** How long a write waits for the lock, by the clock: the connection's busy timeout. */
  private readonly writeWaitMs: number;

  constructor(private readonly db: JifenDb) {
    this.writeWaitMs = Number(db.$client.pragma("busy_timeout", { simple: true })) || 0;
    this.transaction = db.$client.transaction((write: (generation: number) => unknown) => write(this.current()));
    this.dataVersionQuery = db.$client.prepare("pragma data_version").pluck();
    this.totalChangesQuery = db.$client.prepare("select total_changes()").pluck();
    this.dataVersion = this.dataVersionQuery.get();
    this.expectedChanges = this.totalChangesQuery.get();
  }

  /** The current generation: a different number from any before it if the database may have changed since. */
  current(): number {
    const dataVersion = this.dataVersionQuery.get();
    const changes = this.totalChangesQuery.get();
    if (dataVersion !== this.dataVersion || changes !== this.expectedChanges) {
      this.dataVersion = dataVersion;
      this.expectedChanges = changes;
      this.generation++;
    }
    return this.generation;
  }

  /** The generation last seen, without looking at the database. */
  lastSeen(): number {
    return this.generation;
  }

  /** Runs one of the API's own writes, which change nothing the caches hold. */
  ownWrite<T>(write: () => T): T {
    this.current();
    try {
      // One statement in autocommit mode: refused for a lock, it wrote nothing and can run again.
      return this.waitingForTheLock(write, () => true);
    } finally {
      this.expectedChanges = this.totalChangesQuery.get();
    }
  }

  /**
   * Runs one of the API's own writes at once if no other connection holds the write lock, else not at all (false):
   * for a write that may as well wait for a later request, so that the thread never stops for it.
   */
  ownWriteIfFree(write: () => void): boolean {
    this.current();
    const sqlite = this.db.$client;
    const wait = sqlite.pragma("busy_timeout", { simple: true }) as number;
    sqlite.pragma("busy_timeout = 0");
    try {
      write();
      return true;
    } catch (error) {
      if (isBusy(error)) return false;
      throw error;
    } finally {
      sqlite.pragma(`busy_timeout = ${wait}`);
      this.expectedChanges = this.totalChangesQuery.get();
    }
  }

  /**
   * Runs one of the API's own writes in an IMMEDIATE transaction (the write lock taken first, so nothing commits in
   * between), handing it the generation current inside that transaction.
   */
  ownTransaction<T>(write: (generation: number) => T): T {
    let started = false;
    try {
      return this.waitingForTheLock(
        () =>
          this.transaction.immediate((generation: number) => {
            started = true;
            return write(generation);
          }) as T,
        () => !started,
      );
    } finally {
      this.expectedChanges = this.totalChangesQuery.get();
    }
  }

  /**
   * Runs `attempt` until it is not refused for SQLite's lock, for as long as the connection's busy timeout by the
   * clock: SQLite's busy handler counts its sleeps rather than timing them, and a signal cuts a sleep short (a CPU
   * profiler sends one every millisecond), so it can give up long before its timeout. Past the wait, 503 with
   * nothing written. `mayRetry` says whether the attempt may simply run again (a transaction refused past its BEGIN
   * was rolled back, but its callback has run: it is answered 503 at once rather than run twice).
   */
  private waitingForTheLock<T>(attempt: () => T, mayRetry: () => boolean): T {
    const deadline = performance.now() + this.writeWaitMs;
    // SQLite's own busy handler sleeps ever longer (up to 100 ms a time) and so misses the short gaps a sliced
    // cohort import leaves between its write transactions; asking again every millisecond takes the first gap, and
    // the import, told that a writer waits (db/writers-waiting.ts), makes that gap at once.
    const sqlite = this.db.$client;
    const wait = sqlite.pragma("busy_timeout", { simple: true }) as number;
    sqlite.pragma("busy_timeout = 0");
    let doneWaiting: (() => void) | undefined;
    try {
      for (;;) {
        try {
          return attempt();
        } catch (error) {
          if (!isBusy(error)) throw error;
          if (!mayRetry() || performance.now() >= deadline) throw databaseBusy();
          doneWaiting ??= startWaitingToWrite();
          Atomics.wait(pause, 0, 0, 1);
        }
      }
    } finally {
      doneWaiting?.();
      sqlite.pragma(`busy_timeout = ${wait}`);
    }
  }
}

/** One value per database connection, made at its first use (caches, watches, groups). */
export function perConnection<T>(make: (db: JifenDb) => T): (db: JifenDb) => T {
  const values = new WeakMap<JifenDb, T>();
  return (db) => {
    let value = values.get(db);
    if (value === undefined) {
      value = make(db);
      values.set(db, value);
    }
    return value;
  };
}

export const changeWatch: (db: JifenDb) => ChangeWatch = perConnection((db) => new ChangeWatch(db));

/**
 * A map that empties itself when the database's generation moves on, and when it reaches `maxSize` entries (so a
 * stream of distinct keys cannot grow it without bound).
 */
export class GenerationCache<K, V> {
  private readonly entries = new Map<K, V>();
  private generation = -1;

  constructor(private readonly maxSize: number) {}

  get(generation: number, key: K): V | undefined {
    if (generation !== this.generation) {
      this.entries.clear();
      this.generation = generation;
      return undefined;
    }
    return this.entries.get(key);
  }

  set(generation: number, key: K, value: V): void {
    if (generation !== this.generation) return;
    if (this.entries.size >= this.maxSize) this.entries.clear();
    this.entries.set(key, value);
  }
}
