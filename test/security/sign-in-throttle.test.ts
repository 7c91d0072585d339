/** The sign-in throttle's arithmetic: free failures, then waits that double up to a cap, per account and per address. */
import { describe, expect, it } from "vitest";
import { ACCOUNT_RULE, ADDRESS_RULE, SignInThrottle } from "../../app/lib/sign-in-throttle.server";

const keys = (username: string, address = "192.0.2.1") => ({ username, address });

describe("sign-in throttle", () => {
  it("lets five wrong passwords through, then waits 15 s, 30 s, 1 min … up to 15 min", () => {
    const throttle = new SignInThrottle();
    let now = 0;
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      expect(throttle.waitMs(keys("drafter"), now)).toBe(0);
      const wait = throttle.fail(keys("drafter"), now);
      waits.push(wait / 1000);
      now += wait;
    }
    expect(waits).toEqual([0, 0, 0, 0, 0, 15, 30, 60, 120, 240, 480, 900]);
  });

  it("refuses during the wait, whatever the address; a success clears the account but not the address", () => {
    const throttle = new SignInThrottle();
    for (let i = 0; i < ACCOUNT_RULE.freeFailures + 1; i++) throttle.fail(keys("drafter", `198.51.100.${i}`), 0);
    expect(throttle.waitMs(keys("drafter", "203.0.113.1"), 1000)).toBe(14_000);
    expect(throttle.waitMs(keys("reviewer", "203.0.113.1"), 1000)).toBe(0);

    for (let i = 0; i < ADDRESS_RULE.freeFailures + 1; i++) throttle.fail(keys(`user-${i}`, "203.0.113.9"), 0);
    expect(throttle.waitMs(keys("publisher", "203.0.113.9"), 0)).toBe(15_000);
    throttle.succeed(keys("user-0", "203.0.113.9"));
    expect(throttle.waitMs(keys("publisher", "203.0.113.9"), 0)).toBe(15_000);
  });

  it("forgets a key a day after its last failure", () => {
    const throttle = new SignInThrottle();
    for (let i = 0; i < 8; i++) throttle.fail(keys("drafter"), 0);
    expect(throttle.waitMs(keys("drafter"), 1000)).toBeGreaterThan(0);
    expect(throttle.fail(keys("drafter"), ACCOUNT_RULE.forgetAfterMs + 1)).toBe(0);
  });
});
