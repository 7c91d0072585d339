import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { runRankingCases } from "./ranking-cases";

const suzhou = JSON.parse(
  readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8"),
) as StandardDocument;

describe("runRankingCases", () => {
  it("passes every ranking case of the Suzhou 2015 example", async () => {
    const results = await runRankingCases(suzhou);
    expect(results).toHaveLength(suzhou.rankingCases!.length);
    for (const result of results) expect(result, result.id).toMatchObject({ passed: true, missing: [], unexpected: [] });
  });

  it("fails a case whose expectation is wrong, naming the differences", async () => {
    const doc = structuredClone(suzhou);
    const rankingCase = doc.rankingCases![0];
    const [dropped, ...rest] = rankingCase.expect.admitted;
    const outsider = rankingCase.applicants.map((a) => a.id).find((id) => !rankingCase.expect.admitted.includes(id))!;
    rankingCase.expect.admitted = [...rest, outsider];
    const [result] = await runRankingCases(doc);
    expect(result.passed).toBe(false);
    expect(result.missing).toEqual([outsider]);
    expect(result.unexpected).toEqual([dropped]);
  });

  it("checks the order when the case gives one", async () => {
    const doc = structuredClone(suzhou);
    const rankingCase = doc.rankingCases![0];
    const [first] = await runRankingCases({ ...doc, rankingCases: [rankingCase] });
    const actual = first.allocation!.applicants.filter((a) => a.rank !== null).sort((a, b) => a.rank! - b.rank!).map((a) => a.id);
    rankingCase.expect.order = actual;
    expect((await runRankingCases(doc))[0].order).toMatchObject({ matches: true });
    rankingCase.expect.order = [...actual].reverse();
    const [reversed] = await runRankingCases(doc);
    expect(reversed.passed).toBe(false);
    expect(reversed.order!.matches).toBe(false);
  });

  it("reports a case naming an unknown program instead of throwing", async () => {
    const doc = structuredClone(suzhou);
    doc.rankingCases![0].program = "housing";
    const [result] = await runRankingCases(doc);
    expect(result.passed).toBe(false);
    expect(result.error).toMatchObject({ code: "engine.unknownProgram", path: "/rankingCases/0/program" });
  });
});
