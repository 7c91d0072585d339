/**
 * The self-estimate's limit per client address (decision 041): a token bucket, as the department API's per token.
 * `ESTIMATE_RATE_PER_MINUTE` (default 30) refills it, up to `ESTIMATE_RATE_BURST` (default 60) requests at once;
 * every page view and every estimate takes one.
 */
import { TokenBucketLimiter, type RateDecision, type RateLimitConfig } from "../../api/rate-limit.server";

/** Addresses remembered at once; beyond this the one seen longest ago is forgotten. */
const MAX_ADDRESSES = 100_000;

export function estimateRateConfig(env: Record<string, string | undefined> = process.env): RateLimitConfig {
  const perMinute = positive(env.ESTIMATE_RATE_PER_MINUTE, 30);
  return { perSecond: perMinute / 60, burst: positive(env.ESTIMATE_RATE_BURST, 60) };
}

function positive(raw: string | undefined, fallback: number): number {
  const value = raw === undefined || raw.trim() === "" ? NaN : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

let limiter: TokenBucketLimiter<string> | undefined;

export function takeEstimateRequest(address: string): RateDecision {
  limiter ??= new TokenBucketLimiter<string>(estimateRateConfig(), () => performance.now(), MAX_ADDRESSES);
  return limiter.take(address);
}
