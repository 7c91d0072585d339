/**
 * Identities as a public notice shows them (decision 043): a name keeps its first character (张三 → 张*, 欧阳娜娜 →
 * 欧***), an identity number its first 3 and last 4 characters (the db masks it so at import and never stores it).
 */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return "";
  // A Latin name ("Li Wei") keeps its first letter only, as a Chinese one does.
  return chars[0] + "*".repeat(Math.max(1, chars.length - 1));
}

/** The last four characters of a masked identity number (the second factor of an applicant's own look-up). */
export function lastFourOfMasked(masked: string | null): string | null {
  if (!masked || masked.length < 4) return null;
  const tail = masked.slice(-4);
  return tail.includes("*") ? null : tail.toUpperCase();
}
