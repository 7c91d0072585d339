/**
 * How far each running import has got, for the upload screen to ask while it waits for the answer: the screen names
 * its upload with a random key, and only the user who started it may read it. Kept in this process's memory (an
 * import runs in the process that received it); entries go a minute after their import ends.
 */
export interface ImportProgress {
  rowsRead: number;
  rowsStored: number;
  /** "reading": rows are being read and checked; "storing": all were good and are being stored; "ended": answered. */
  phase: "reading" | "storing" | "ended";
}

interface Entry extends ImportProgress {
  userId: number;
  endedAt?: number;
}

const KEEP_ENDED_MS = 60_000;
const MAX_ENTRIES = 1000;
const entries = new Map<string, Entry>();

/** A key the screen may choose: letters, digits, `-` and `_`, 8 to 64 of them. */
export function isProgressKey(key: string | null): key is string {
  return key !== null && /^[A-Za-z0-9_-]{8,64}$/.test(key);
}

function prune(now: number) {
  for (const [key, entry] of entries) if (entry.endedAt !== undefined && now - entry.endedAt > KEEP_ENDED_MS) entries.delete(key);
  // Oldest first (a Map keeps insertion order): a flood of uploads cannot grow this without bound.
  for (const key of entries.keys()) {
    if (entries.size < MAX_ENTRIES) break;
    entries.delete(key);
  }
}

/** Starts tracking an import; returns how to update it and how to mark it ended. */
export function trackImport(key: string, userId: number): { update(progress: Omit<ImportProgress, "phase"> & { storing: boolean }): void; end(): void } {
  const now = Date.now();
  prune(now);
  const entry: Entry = { userId, rowsRead: 0, rowsStored: 0, phase: "reading" };
  entries.set(key, entry);
  return {
    update({ rowsRead, rowsStored, storing }) {
      entry.rowsRead = rowsRead;
      entry.rowsStored = rowsStored;
      if (entry.phase !== "ended") entry.phase = storing ? "storing" : "reading";
    },
    end() {
      entry.phase = "ended";
      entry.endedAt = Date.now();
    },
  };
}

export function importProgress(key: string, userId: number): ImportProgress | undefined {
  const entry = entries.get(key);
  if (!entry || entry.userId !== userId) return undefined;
  return { rowsRead: entry.rowsRead, rowsStored: entry.rowsStored, phase: entry.phase };
}
