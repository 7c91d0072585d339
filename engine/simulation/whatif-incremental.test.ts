/**
 * The session's shortcuts must only be taken where they are exact: a change of points alone keeps each row's tier
 * (unless the tiers change order), a change of a linear or accrual item's numbers keeps its condition; anything
 * else is scored again. whatif-session.test.ts checks the results against full simulations.
 */
import { describe, expect, it } from "vitest";
import { loadStandards } from "../../test/fixtures/engine/standards";
import type { ScoringItem } from "../../rules-schema/types";
import { pointsOnlyChange, remapPoints, valueOnlyChange } from "./whatif-incremental";

const shanghai = loadStandards().find(({ name }) => name === "shanghai-2015.json")!.doc;
const item = (id: string) => structuredClone(shanghai.items.find((entry) => entry.id === id)!) as ScoringItem;

describe("what-if shortcuts", () => {
  it("maps each row's old tier points to the new ones when only points move and the tiers keep their order", () => {
    const before = item("education");
    const after = item("education");
    if (after.scoring.kind !== "tiers") throw new Error("education is a tiers item");
    after.scoring.tiers[2].points = 91;
    const change = pointsOnlyChange(before, after)!;
    expect(change).toBeDefined();
    const into = new Float64Array(4);
    remapPoints(change, Float64Array.from([0, 50, 90, 110]), into);
    expect(Array.from(into)).toEqual([0, 50, 91, 110]);
  });

  it("scores again when the tiers change order, a condition changes, or two tiers end up with the same points before", () => {
    const before = item("education");
    const reordered = item("education");
    if (reordered.scoring.kind !== "tiers") throw new Error("education is a tiers item");
    reordered.scoring.tiers[0].points = 95;
    expect(pointsOnlyChange(before, reordered)).toBeUndefined();
    const threshold = item("si_base");
    if (threshold.scoring.kind !== "tiers") throw new Error("si_base is a tiers item");
    (threshold.scoring.tiers[0].when as { value: number }).value = 35;
    expect(pointsOnlyChange(item("si_base"), threshold)).toBeUndefined();
    const capped = item("education");
    capped.cap = 100;
    // 100 and 110 both become 100: the old points would no longer name one tier after a second change; the first is fine.
    expect(pointsOnlyChange(item("education"), capped)).toBeDefined();
    expect(pointsOnlyChange(capped, item("education"))).toBeUndefined();
  });

  it("computes a linear or accrual item from its fact's value when only its numbers move", () => {
    const before = item("si_years");
    const after = item("si_years");
    if (after.scoring.kind !== "accrual") throw new Error("si_years is an accrual item");
    after.scoring.bands[0].rate = 4;
    const points = valueOnlyChange(before, after)!;
    expect([points(11), points(12), points(37), points(NaN)]).toEqual([0, 4, 12, 0]);
    const otherFact = item("si_years");
    if (otherFact.scoring.kind !== "accrual") throw new Error("si_years is an accrual item");
    otherFact.scoring.fact = "investedFirmAvgAnnualLocalHiresShare";
    expect(valueOnlyChange(before, otherFact)).toBeUndefined();
    const condition = item("spouse_hukou");
    condition.when = { fact: "spouseShanghaiHukou", operator: "equal", value: false };
    expect(valueOnlyChange(item("spouse_hukou"), condition)).toBeUndefined();
  });
});
