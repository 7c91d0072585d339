/**
 * The incremental what-if must give what a full `simulate` gives: for random steps of random parameters of every
 * example standard (item points, caps, groups, the total, gates, vetoes, lines), on small cohorts with few places,
 * so that ties at the cut-off, gates, vetoes, persons and adjustments of the total all come into play.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadStandards } from "../../test/fixtures/engine/standards";
import { generateCohortColumns } from "../cohorts/cohort-generate";
import { applyStep, listParameters } from "../levers/parameters";
import { simulate, type SimulationResult } from "./simulate";
import { createWhatIfSession } from "./whatif-session";
import type { StandardDocument } from "../../rules-schema/types";

function withoutIds(result: SimulationResult) {
  const { ids: _ids, ...columns } = result.columns;
  return { summary: result.summary, columns };
}

function programsOf(doc: StandardDocument) {
  return doc.programs.map((program) => program.id);
}

describe("what-if session", () => {
  let admissionsMoved = 0;
  for (const { name, doc } of loadStandards()) {
    it(`gives the full simulation's result for random parameter steps of ${name}`, () => {
      const date = doc.effectiveFrom ?? "2024-01-01";
      const cohort = generateCohortColumns(doc, 400, `session-${name}`, { referenceDate: date });
      let moved = 0;
      const groupBy = doc.facts.find((fact) => fact.type === "enum" && !fact.perPerson)?.id;
      for (const programId of programsOf(doc)) {
        const parameters = listParameters(doc, { program: programId });
        if (parameters.length === 0) continue;
        const quotas = { "*": 7 };
        const session = createWhatIfSession(doc, cohort, { programId, quotas, date, groupBy });
        const modes = { incremental: 0, full: 0, reasons: new Set<string>() };
        let movedHere = 0;
        fc.assert(
          fc.property(
            fc.array(fc.record({ p: fc.nat(parameters.length - 1), steps: fc.integer({ min: -3, max: 3 }) }), { minLength: 1, maxLength: 2 }),
            (moves) => {
              let candidate: StandardDocument = doc;
              for (const { p, steps } of moves) candidate = applyStep(candidate, parameters[p], steps) ?? candidate;
              const run = session.run(candidate, { details: true });
              modes[run.mode]++;
              if (run.fullReason) modes.reasons.add(run.fullReason);
              const full = simulate({ baseline: doc, candidate, programId, cohort, quotas, date, groupBy: groupBy ? [groupBy] : [], bothCores: false });
              if (full.summary.applicantsWithChangedTotal > 0) movedHere++;
              if (run.enteredCount + run.leftCount > 0) admissionsMoved++;
              expect(withoutIds(run.result!)).toEqual(withoutIds(full));
              expect(run.admittedBefore).toBe(full.summary.admittedBefore);
              expect(run.admittedAfter).toBe(full.summary.admittedAfter);
              expect(run.enteredCount).toBe(full.summary.entered.length);
              expect(run.leftCount).toBe(full.summary.left.length);
              expect(run.pools).toEqual(full.summary.pools);
              const groups = full.summary.groups[0]?.values ?? [];
              expect(run.groups).toEqual(groups.map(({ value, applicants, admittedBefore, admittedAfter }) => ({ value, applicants, admittedBefore, admittedAfter })));
            },
          ),
          { numRuns: 12, seed: 24 },
        );
        // Programs whose totals can be re-added from item columns run incrementally when only points move.
        if (!["the program scores several persons", "the ranking reads item or category points or derived facts"].some((reason) => modes.reasons.has(reason))) {
          expect(modes.incremental, `${name} ${programId}: ${[...modes.reasons].join("; ")}`).toBeGreaterThan(0);
        }
        moved += movedHere;
      }
      // The random steps change some totals (else the comparison would prove little).
      expect(moved, name).toBeGreaterThan(0);
    });
  }

  it("has changed who is admitted in some of those runs", () => {
    expect(admissionsMoved).toBeGreaterThan(20);
  });
});
