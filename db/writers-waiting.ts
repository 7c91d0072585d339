/**
 * How many of this process's writers that answer someone (a department's evaluation being logged) are waiting for
 * SQLite's write lock right now. A long writer on another thread of the process (a cohort import, which stores in
 * short transactions) reads it: it ends its current transaction early and starts no next one while anyone waits, so
 * a request waits about a millisecond for the lock rather than a whole slice and SQLite's growing sleeps.
 *
 * One counter per process: the server loads this module twice (from the sources for the API, from the build for the
 * Remix side), so the counter lives on the process's global object, and it is shared memory so that it can be handed
 * to a thread.
 */
const KEY = Symbol.for("jifen.db.writersWaiting");

export function writersWaiting(): Int32Array {
  const holder = globalThis as { [KEY]?: Int32Array };
  return (holder[KEY] ??= new Int32Array(new SharedArrayBuffer(4)));
}

/** Marks one waiting writer until `done` is called (once). */
export function startWaitingToWrite(): () => void {
  const counter = writersWaiting();
  Atomics.add(counter, 0, 1);
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    Atomics.sub(counter, 0, 1);
  };
}

export function someoneWaitsToWrite(counter: Int32Array): boolean {
  return Atomics.load(counter, 0) > 0;
}
