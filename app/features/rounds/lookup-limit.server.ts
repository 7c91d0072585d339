/**
 * How many failed look-ups of his own result one address may make on a public notice: 10 in 15 minutes (decision
 * 043). The identity number is the second factor; this keeps anyone from trying numbers against an application
 * number read off the notice. In memory, per server process.
 */
const WINDOW_MS = 15 * 60 * 1000;
const MAX_FAILURES = 10;
const failures = new Map<string, number[]>();

function recent(address: string, now: number): number[] {
  const kept = (failures.get(address) ?? []).filter((at) => now - at < WINDOW_MS);
  if (kept.length === 0) failures.delete(address);
  else failures.set(address, kept);
  return kept;
}

export function lookupAllowed(address: string, now = Date.now()): boolean {
  return recent(address, now).length < MAX_FAILURES;
}

export function lookupFailed(address: string, now = Date.now()): void {
  const kept = recent(address, now);
  kept.push(now);
  failures.set(address, kept);
  if (failures.size > 100_000) failures.clear();
}
