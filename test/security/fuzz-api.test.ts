/**
 * Bounded fuzz of the department API's request bodies (issue 18, part 7): hostile changes to real bodies of
 * evaluate (plain and explained), batch in both forms and rank, sent as text and as bytes (the worker's path), to
 * the handlers on a real SQLite file with the committed migrations. No answer may be a 500 or carry a stack trace;
 * every refusal has the API's error shape with both languages.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { generateCohort } from "../../engine/cohorts/cohort-generate";
import { suzhouPath } from "../integration/cli-allocation.helpers";
import { openInProcessApi, type InProcessApi } from "./api-in-process";
import { applyChanges, changes, LEAK } from "./fuzz-arbitraries";

const suzhou = JSON.parse(readFileSync(suzhouPath, "utf8")) as StandardDocument;
const cohort = generateCohort(suzhou, 3, "fuzz-api");
const date = "2016-05-15";
const columns = ["id", ...Object.keys(cohort[0])];
const applicants = cohort.map((facts, i) => ({ id: `A${i}`, facts }));

const endpoints = [
  { path: "/api/v1/standards/suzhou/evaluate", body: { program: "settlement", date, facts: cohort[0] } },
  { path: "/api/v1/standards/suzhou/evaluate?explain=true", body: { program: "settlement", date, facts: cohort[1] } },
  { path: "/api/v1/standards/suzhou/evaluate/batch", body: { program: "settlement", date, applicants } },
  {
    path: "/api/v1/standards/suzhou/evaluate/batch",
    body: { program: "settlement", date, columns, rows: cohort.map((f, i) => [`A${i}`, ...columns.slice(1).map((c) => (f as Record<string, unknown>)[c] ?? null)]) },
  },
  { path: "/api/v1/standards/suzhou/rank", body: { program: "school", date, quotas: { "*": 2 }, applicants } },
];

let api: InProcessApi;
beforeAll(async () => {
  api = await openInProcessApi("fuzz-api");
});
afterAll(async () => {
  await api.close();
});

describe("fuzzed API request bodies", () => {
  it("never answer 500 nor leak a stack trace, and refuse in the error shape", async () => {
    const statuses = new Map<number, number>();
    const report = await fc.check(
      fc.asyncProperty(fc.nat({ max: endpoints.length - 1 }), changes(3), fc.boolean(), async (which, list, bytes) => {
        const endpoint = endpoints[which];
        const text = applyChanges(endpoint.body, list);
        const answer = await api.call("POST", endpoint.path, text, { bytes });
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expect(answer.status, answer.text.slice(0, 500)).not.toBe(500);
        expect(answer.text).not.toMatch(LEAK);
        if (answer.status >= 400) {
          expect(answer.json.errors.length).toBeGreaterThan(0);
          for (const error of answer.json.errors as Array<{ code: unknown; path: unknown; message: { zh: unknown; en: unknown } }>) {
            expect(typeof error.code).toBe("string");
            expect(typeof error.path).toBe("string");
            expect(typeof error.message.zh).toBe("string");
            expect(typeof error.message.en).toBe("string");
          }
        } else {
          expect(answer.status).toBe(200);
          expect(answer.text).not.toMatch(/Infinity|NaN/);
        }
      }),
      { numRuns: 400, interruptAfterTimeLimit: 8_000, seed: Number(process.env.JIFEN_FUZZ_SEED ?? 18) },
    );
    console.info(`fuzz (API): ${report.numRuns} bodies, ${report.failed ? 1 : 0} failure(s); statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(report.failed, report.failed ? fc.defaultReportMessage(report) : "").toBe(false);
  });
});
