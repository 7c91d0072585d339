/**
 * The self-estimate's limit per client address (decision 041): a token bucket, as the department API's per token.
 * `ESTIMATE_RATE_PER_MINUTE` (default 30) refills it, up to `ESTIMATE_RATE_BURST` (default 60) requests at once;
 * every page view and every estimate takes one.
 */
import type { AppLoadContext } from "@remix-run/node";
import { TokenBucketLimiter, type RateDecision, type RateLimitConfig } from "../../api/rate-limit.server";
import type { Lang } from "../../i18n";
import { clientAddress } from "../../lib/auth.server";
import { estimateText, waitWords } from "./messages";

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

/**
 * Takes one unit for this HTTP request's address, or throws the 429 page's response. One unit per HTTP request: a
 * form posted without JavaScript runs the action and then the loader in one request, sharing its load context.
 */
export function limitEstimateRequest(context: AppLoadContext | undefined, lang: Lang): void {
  const counted = context as (AppLoadContext & { estimateCounted?: boolean }) | undefined;
  if (counted?.estimateCounted) return;
  if (counted) counted.estimateCounted = true;
  const decision = takeEstimateRequest(clientAddress(context));
  if (decision.allowed) return;
  throw new Response(estimateText(lang, "tooManyText", { wait: waitWords(decision.retryAfterSeconds, lang) }), {
    status: 429,
    headers: { "Retry-After": String(decision.retryAfterSeconds), "Content-Type": "text/plain; charset=utf-8" },
  });
}
