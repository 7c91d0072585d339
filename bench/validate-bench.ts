/**
 * Validation speed on a large document: a generated standard with 300 items of every scoring kind,
 * validated from text (syntax, schema, semantics, positions). The lead wires `benchValidate` into `npm run bench`.
 */
import { readFileSync } from "node:fs";
import { validateDocumentText } from "../rules-schema/validate";
import type { ScoringItem, StandardDocument } from "../rules-schema/types";

const minimalValidUrl = new URL("../test/fixtures/minimal-valid.json", import.meta.url);

/** A valid document with `itemCount` items cycling through the scoring kinds, built on the minimal Suzhou excerpt. */
export function generateLargeDocument(itemCount = 300): StandardDocument {
  const doc = JSON.parse(readFileSync(minimalValidUrl, "utf8")) as StandardDocument;
  const items: ScoringItem[] = [];
  for (let n = 0; n < itemCount; n++) {
    const id = `item-${n}`;
    const label = { zh: `指标 ${n}`, en: `Item ${n}` };
    const when = { all: [{ fact: "socialInsured", operator: "equal" as const, value: true }, { fact: "siMonths", operator: "greaterThan" as const, value: n % 12 }] };
    switch (n % 6) {
      case 0:
        items.push({ id, category: "base", label, when, scoring: { kind: "fixed", points: 10 + (n % 7) } });
        break;
      case 1:
        items.push({
          id, category: "base", label, scoring: {
            kind: "tiers",
            tiers: ["college", "bachelor", "master", "doctor"].map((value, i) => ({
              id: `${id}-${value}`, label: { zh: value, en: value }, when: { fact: "education", operator: "atLeastLevel" as const, value }, points: 30 * (i + 1),
            })),
          },
        });
        break;
      case 2:
        items.push({
          id, category: "base", label, scoring: {
            kind: "bands", fact: "age",
            bands: [{ id: `${id}-young`, max: 18, points: 0 }, { id: `${id}-core`, min: 18, max: 41, points: 10 }, { id: `${id}-older`, min: 41, points: 5 }],
          },
        });
        break;
      case 3:
        items.push({ id, category: "base", label, cap: 500, scoring: { kind: "accrual", fact: "siMonths", rounding: "floor", bands: [{ from: 0, to: 60, rate: 5 }, { from: 60, rate: 3 }] } });
        break;
      case 4:
        items.push({ id, category: "base", label, cap: 30, scoring: { kind: "linear", fact: "age", origin: 60, direction: "down", basePoints: 5, pointsPerStep: 2 } });
        break;
      default:
        items.push({
          id, category: "deduction", label, programs: ["settlement"], scoring: {
            kind: "perRecord", records: "offences", where: { fact: "kind", operator: "equal", value: "detention" },
            within: { dateField: "date", years: 5 }, points: -50,
          },
        });
    }
  }
  doc.items = [...doc.items, ...items];
  return doc;
}

/** Median milliseconds of validating the generated 300-item document from its text. */
export function benchValidate(): { items: number; ms: number; runs: number } {
  const doc = generateLargeDocument(300);
  const text = JSON.stringify(doc, null, 2);
  const runs = 15;
  const timings: number[] = [];
  for (let run = 0; run < runs + 3; run++) {
    const start = performance.now();
    const result = validateDocumentText(text);
    const elapsed = performance.now() - start;
    if (!result.ok) throw new Error(`generated document is invalid: ${result.problems[0]?.message.en}`);
    if (run >= 3) timings.push(elapsed);
  }
  timings.sort((a, b) => a - b);
  return { items: doc.items.length, ms: Math.round(timings[Math.floor(timings.length / 2)] * 100) / 100, runs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(benchValidate());
}
