/**
 * Throttling of password guessing, per account and per address: a few failed sign-ins are free, then each further
 * failure makes the key wait, twice as long each time (15 s, 30 s, 1 min … up to 15 min). While a key waits, sign-in
 * is refused without checking the password (HTTP 429), so 40 wrong passwords followed by the right one do not get in.
 * A successful sign-in clears the account's count, not the address's (one valid account must not reset an address
 * that is guessing others). State is in memory: one server process, cleared on restart
 * (docs/decisions/019-sign-in-and-isolation.md).
 */

export interface ThrottleRule {
  /** Failures before the first wait. */
  freeFailures: number;
  firstDelayMs: number;
  maxDelayMs: number;
  /** A key with no failure for this long starts again from zero. */
  forgetAfterMs: number;
}

/** Shared addresses (an office behind one NAT) get more free failures than one account. */
export const ACCOUNT_RULE: ThrottleRule = { freeFailures: 5, firstDelayMs: 15_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 24 * 3600_000 };
export const ADDRESS_RULE: ThrottleRule = { freeFailures: 20, firstDelayMs: 15_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 24 * 3600_000 };

/** Keys kept per kind; the oldest are dropped beyond this, so guessing many usernames cannot exhaust memory. */
const MAX_KEYS = 50_000;

interface Entry {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

class FailureCounter {
  private readonly entries = new Map<string, Entry>();
  constructor(readonly rule: ThrottleRule) {}

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && now - entry.lastFailureAt > this.rule.forgetAfterMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  waitMs(key: string, now: number): number {
    const entry = this.live(key, now);
    return entry ? Math.max(0, entry.blockedUntil - now) : 0;
  }

  /** Counts a failure; returns the wait it starts (0 while failures are still free). */
  fail(key: string, now: number): number {
    const entry = this.live(key, now) ?? { failures: 0, lastFailureAt: now, blockedUntil: 0 };
    entry.failures += 1;
    entry.lastFailureAt = now;
    const over = entry.failures - this.rule.freeFailures;
    const delay = over > 0 ? Math.min(this.rule.maxDelayMs, this.rule.firstDelayMs * 2 ** Math.min(over - 1, 30)) : 0;
    entry.blockedUntil = now + delay;
    this.entries.delete(key); // re-inserted last: the map's order is the order of last failure
    this.entries.set(key, entry);
    if (this.entries.size > MAX_KEYS) this.entries.delete(this.entries.keys().next().value as string);
    return delay;
  }

  clear(key: string): void {
    this.entries.delete(key);
  }
}

export interface SignInKeys {
  username: string;
  address: string;
}

export class SignInThrottle {
  private readonly accounts: FailureCounter;
  private readonly addresses: FailureCounter;

  constructor(accountRule: ThrottleRule = ACCOUNT_RULE, addressRule: ThrottleRule = ADDRESS_RULE) {
    this.accounts = new FailureCounter(accountRule);
    this.addresses = new FailureCounter(addressRule);
  }

  /** How long this attempt must wait before a password is checked (0: go ahead). */
  waitMs(keys: SignInKeys, now: number): number {
    return Math.max(this.accounts.waitMs(keys.username, now), this.addresses.waitMs(keys.address, now));
  }

  /** Counts a failed sign-in against both keys; returns the wait it starts (0 if none). */
  fail(keys: SignInKeys, now: number): number {
    return Math.max(this.accounts.fail(keys.username, now), this.addresses.fail(keys.address, now));
  }

  succeed(keys: SignInKeys): void {
    this.accounts.clear(keys.username);
  }
}
