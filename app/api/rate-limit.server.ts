/**
 * Token-bucket rate limit per API token (or, for the public self-estimate, per address), in memory (one server
 * process). Each request takes one unit; the bucket refills at `API_RATE_PER_SECOND` (default 10,000) up to
 * `API_RATE_BURST` (default twice the rate). A batch counts as one request: its size is bounded by the body limit instead.
 */
export interface RateLimitConfig {
  perSecond: number;
  burst: number;
}

export function rateLimitConfig(env: Record<string, string | undefined> = process.env): RateLimitConfig {
  const perSecond = positive(env.API_RATE_PER_SECOND, 10_000);
  return { perSecond, burst: positive(env.API_RATE_BURST, perSecond * 2) };
}

function positive(raw: string | undefined, fallback: number): number {
  const value = raw === undefined || raw.trim() === "" ? NaN : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class TokenBucketLimiter<Key extends string | number = number> {
  private readonly buckets = new Map<Key, Bucket>();
  /**
   * `maxKeys` bounds the memory when keys come from outside (client addresses): beyond it the bucket used longest
   * ago is forgotten, which can only give that key a full bucket again.
   */
  constructor(
    readonly config: RateLimitConfig,
    private readonly now: () => number = () => performance.now(),
    private readonly maxKeys = Number.POSITIVE_INFINITY,
  ) {}

  take(key: Key): RateDecision {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.config.burst, updatedMs: now };
      this.buckets.set(key, bucket);
      if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as Key);
    } else {
      if (Number.isFinite(this.maxKeys)) {
        this.buckets.delete(key); // re-inserted last: the map's order is the order of last use
        this.buckets.set(key, bucket);
      }
      bucket.tokens = Math.min(this.config.burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.config.perSecond);
      bucket.updatedMs = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const waitSeconds = (1 - bucket.tokens) / this.config.perSecond;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitSeconds)) };
  }
}
