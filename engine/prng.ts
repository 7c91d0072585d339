/**
 * Small deterministic pseudo-random functions (no Math.random, no clock): the same seed always gives the same numbers.
 * Used for lottery draws at a ranking cut-off and for synthetic cohorts.
 */

/** FNV-1a over the UTF-16 code units of a string, 32-bit. */
export function fnv1a(text: string, start = 0x811c9dc5): number {
  let hash = start >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A 32-bit mixing step (mulberry32's output function): spreads the bits of a hash evenly. */
export function mix32(value: number): number {
  let t = (value + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** The lottery draw of one applicant under a published seed: a uint32; lower draws come first. */
export function lotteryDraw(seed: string, applicantId: string): number {
  return mix32(fnv1a(applicantId, fnv1a(seed + "\u0000")));
}

/** A seeded generator of floats in [0, 1) (mulberry32). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seed number for a string or number seed. */
export function seedNumber(seed: string | number): number {
  return fnv1a(String(seed));
}
