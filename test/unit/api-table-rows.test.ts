/**
 * The table form's rows read from the body's bytes (app/api/table-rows.ts). What it reads must be exactly what
 * parsing the body and checking its rows the usual way gives (`requireApplicants`), and whatever it cannot read that
 * way it must leave to the usual way (undefined): it must never accept a body the usual way refuses. No database:
 * the dictionaries come from the example standards and from a made-up one with every kind of fact.
 */
import { deepStrictEqual } from "node:assert";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { MAX_MAGNITUDE } from "../../rules-schema/limits";
import { generateCohort } from "../../engine/cohorts/cohort-generate";
import { factDictionary, type FactDictionary } from "../../app/api/facts-check";
import { ApiError } from "../../app/api/errors.server";
import { requireApplicants, type BatchApplicant } from "../../app/api/evaluation.server";
import type { LoadedVersion } from "../../app/api/versions.server";
import { readTableRows, scanTableBody } from "../../app/api/table-rows";

const example = (name: string) => JSON.parse(readFileSync(new URL(`../../rules-schema/examples/${name}.json`, import.meta.url), "utf8")) as StandardDocument;
const examples = ["suzhou-2015", "suzhou-2020", "shanghai-2015", "hangzhou-2018", "changshu-2022", "guangzhou-2015", "shenzhen-school-2016", "shenzhen-talent-2017"].map(example);

/** A dictionary with every kind of fact, bounds, enum values that are not ASCII or need escaping, nested records. */
const madeUp = factDictionary({
  facts: [
    { id: "born", type: "date", label: { zh: "出生", en: "Born" } },
    { id: "level", type: "enum", label: { zh: "级别", en: "Level" }, values: [{ value: "初级" }, { value: "中级" }, { value: 'say "hi"' }, { value: "" }, { value: "a\\b" }] },
    { id: "months", type: "integer", label: { zh: "月数", en: "Months" }, minimum: 0, maximum: 600 },
    { id: "area", type: "number", label: { zh: "面积", en: "Area" }, minimum: -1000 },
    { id: "free", type: "number", label: { zh: "数", en: "Any number" } },
    { id: "note", type: "string", label: { zh: "备注", en: "Note" } },
    { id: "active", type: "boolean", label: { zh: "在缴", en: "Active" } },
    {
      id: "homes",
      type: "records",
      label: { zh: "住房", en: "Homes" },
      fields: [
        { id: "areaM2", type: "number", label: { zh: "面积", en: "Area" }, minimum: 0 },
        { id: "owner", type: "enum", label: { zh: "产权人", en: "Owner" }, values: [{ value: "self" }, { value: "spouse" }] },
        { id: "since", type: "date", label: { zh: "自", en: "Since" } },
        { id: "rooms", type: "records", label: { zh: "房间", en: "Rooms" }, fields: [{ id: "m2", type: "integer", label: { zh: "面积", en: "Area" } }] },
      ],
    },
  ],
} as unknown as StandardDocument);

/** What the usual way reads: the whole body parsed, its rows checked; undefined when it refuses the body. */
function usual(text: string, dictionary: FactDictionary): BatchApplicant[] | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) return undefined;
  try {
    return requireApplicants(body as Record<string, unknown>, { dictionary } as LoadedVersion, false);
  } catch (error) {
    if (error instanceof ApiError) return undefined;
    throw error;
  }
}

/** What reading from bytes gives: the applicants, or undefined when it leaves the body to the usual way. */
function fromBytes(bytes: Uint8Array, dictionary: FactDictionary): BatchApplicant[] | undefined {
  const body = scanTableBody(bytes);
  return body && readTableRows(body, dictionary);
}

/** Reading `text` from bytes gives exactly what the usual way gives (texts, numbers to the bit, -0, shapes). */
function expectSameAsUsual(text: string, dictionary: FactDictionary): BatchApplicant[] {
  const read = fromBytes(Buffer.from(text), dictionary);
  expect(read).toBeDefined();
  deepStrictEqual(read, usual(text, dictionary));
  return read!;
}

const program = "settlement";
const date = "2016-05-15";

function tableText(doc: StandardDocument, count: number, seed: string, space?: number): string {
  const ids = doc.facts.map((f) => f.id);
  const cohort = generateCohort(doc, count, seed);
  const rows = cohort.map((facts, i) => [`A${i}`, ...ids.map((id) => facts[id] ?? null)]);
  return JSON.stringify({ program, date, columns: ["id", ...ids], rows }, null, space);
}

describe("reading a table's rows from bytes", () => {
  it("reads the example standards' generated cohorts exactly as parsing the body does, compact and indented", () => {
    for (const doc of examples) {
      const dictionary = factDictionary(doc);
      for (const space of [undefined, 2]) {
        const read = expectSameAsUsual(tableText(doc, 300, `rows-${doc.facts.length}`, space), dictionary);
        expect(read).toHaveLength(300);
      }
    }
  });

  it("reads the columns in any order, and the members before the rows in any order", () => {
    const doc = examples[0];
    const ids = doc.facts.map((f) => f.id);
    const columns = [ids[3], "id", ...ids.slice(4).reverse(), ...ids.slice(0, 3)];
    const cohort = generateCohort(doc, 50, "order");
    const rows = cohort.map((facts, i) => columns.map((c) => (c === "id" ? `B${i}` : (facts[c] ?? null))));
    const dictionary = factDictionary(doc);
    expectSameAsUsual(JSON.stringify({ columns, date, program, rows }), dictionary);
    expectSameAsUsual(JSON.stringify({ date, columns, rows }), dictionary);
  });

  it("reads a null cell as a fact not given, and keeps null inside a record", () => {
    const text = JSON.stringify({
      columns: ["id", "born", "homes", "months"],
      rows: [
        ["a", null, [{ areaM2: null, owner: "self" }], null],
        ["b", "1980-02-29", null, 0],
      ],
    });
    const [a, b] = expectSameAsUsual(text, madeUp);
    expect(a.facts).toEqual({ born: undefined, homes: [{ areaM2: null, owner: "self" }], months: undefined });
    expect(Object.keys(a.facts)).toEqual(["born", "homes", "months"]);
    expect(b.facts.homes).toBeUndefined();
  });

  it("reads numbers to the same double JSON.parse gives, in every form JSON allows", () => {
    const numbers = [
      "0", "-0", "7", "-7", "0.1", "0.2", "0.3", "0.7", "1.1", "2.675", "4.35", "80.15", "0.30000000000000004", "-0.0", "1.5", "23.53", "181.66", "999999999999999",
      "123456789012345", "1234567890123456", "12345678901234567890", "9007199254740993", "0.000001", "1e2", "1E+2",
      "1e-7", "-1.25e-3", "5e-324", "2.2250738585072014e-308", "1.7976931348623157e308", "1e400", "-1e400",
      "0.1234567890123456789", "100.0000000000000000001", "3.141592653589793238462643383279",
    ];
    for (const number of numbers) {
      const text = `{"columns":["id","free"],"rows":[["x",${number}]]}`;
      const read = fromBytes(Buffer.from(text), madeUp);
      const expected = usual(text, madeUp);
      // ±1e400 is Infinity, and beyond a trillion is beyond any number fact's bound (issue 18): both refuse it.
      if (Math.abs(Number(number)) <= MAX_MAGNITUDE) {
        expect(read, number).toBeDefined();
        expect(Object.is(read![0].facts.free, JSON.parse(number)), number).toBe(true);
      } else {
        expect(read, number).toBeUndefined();
      }
      deepStrictEqual(read ?? undefined, expected ?? undefined);
    }
  });

  it("checks whole numbers and bounds as the fact check does", () => {
    const row = (months: string, area = "0") => `{"columns":["id","months","area"],"rows":[["x",${months},${area}]]}`;
    expectSameAsUsual(row("600"), madeUp);
    expectSameAsUsual(row("1.0"), madeUp);
    expectSameAsUsual(row("1e2"), madeUp);
    expectSameAsUsual(row("0", "-1000"), madeUp);
    for (const text of [row("601"), row("-1"), row("1.5"), row("0", "-1000.5"), row('"3"')]) {
      expect(fromBytes(Buffer.from(text), madeUp), text).toBeUndefined();
      expect(usual(text, madeUp), text).toBeUndefined();
    }
  });

  it("reads texts that are not ASCII, and enum values by their exact bytes", () => {
    const text = JSON.stringify({ columns: ["id", "level", "note"], rows: [["申请人-1", "初级", "新区 😀"], ["b", "", "\u2028"], ["c", "中级", ""]] });
    const read = expectSameAsUsual(text, madeUp);
    expect(read.map((a) => a.id)).toEqual(["申请人-1", "b", "c"]);
    expect(read[0].facts.note).toBe("新区 😀");
  });

  it("reads dates as the fact check does (days of the calendar only, issue 18), the same date twice as the same text", () => {
    const text = JSON.stringify({ columns: ["id", "born"], rows: [["a", "1999-12-31"], ["b", "0001-01-01"], ["c", "1999-12-31"], ["d", "2024-02-29"]] });
    expectSameAsUsual(text, madeUp);
    for (const bad of ["1999-13-01", "1999-00-10", "1999-01-32", "1999-01-00", "2024-02-31", "2023-02-29", "1999-04-31", "99-01-01", "1999-1-01", "1999/01/01", "1999-01-01 "]) {
      const body = JSON.stringify({ columns: ["id", "born"], rows: [["a", bad]] });
      expect(fromBytes(Buffer.from(body), madeUp), bad).toBeUndefined();
      expect(usual(body, madeUp), bad).toBeUndefined();
    }
  });

  it("reads records with nested records, fields in the order sent, a field sent twice as JSON.parse keeps it", () => {
    const homes = '[{"since":"2001-05-06","areaM2":80.5,"rooms":[{"m2":12},{"m2":9}]},{},{"owner":"spouse","owner":"self"}]';
    const text = `{"columns":["id","homes"],"rows":[["a",${homes}],["b",[]]]}`;
    const [a] = expectSameAsUsual(text, madeUp);
    expect(Object.keys((a.facts.homes as object[])[0])).toEqual(["since", "areaM2", "rooms"]);
    expect((a.facts.homes as Array<Record<string, unknown>>)[2]).toEqual({ owner: "self" });
  });

  it("leaves to the usual way whatever it does not read itself, and each of those the usual way reads or refuses", () => {
    const ok = '{"program":"p","date":"2016-05-15","columns":["id","level","note"],"rows":[["a","初级","x"]]}';
    expectSameAsUsual(ok, madeUp);
    const left = [
      // Escapes, in an id, a text fact and an enum value (the enum values that need one are never matched as bytes).
      ok.replace('["a"', '["\\u0061"'),
      ok.replace('"x"]', '"x\\ny"]'),
      ok.replace('"初级"', '"say \\"hi\\""'),
      ok.replace('"初级"', '"a\\\\b"'),
      // Rows not last, members it does not know, a member twice, no columns before the rows.
      '{"columns":["id"],"rows":[["a"]],"program":"p"}',
      ok.replace('"date"', '"extra":[1,2],"date"'),
      ok.replace('"program":"p"', '"program":"p","program":"q"'),
      '{"rows":[["a"]],"columns":["id"]}',
      // Columns that the usual way refuses or reads otherwise.
      ok.replace('["id","level","note"]', '["id","level","level"]'),
      ok.replace('["id","level","note"]', '["level","note","x"]'),
      ok.replace('["id","level","note"]', '["id","level","nope"]'),
      // Rows of the wrong width, no rows, an id that is not text or empty.
      ok.replace('["a","初级","x"]', '["a","初级"]'),
      ok.replace('[["a","初级","x"]]', "[]"),
      ok.replace('["a"', '[7'),
      ok.replace('["a"', '[""'),
      // Not a body the usual way reads at all.
      ok.replace('"x"]]', '"x"],]'),
      ok.replace('"x"]]', '"x"]] x'),
      ok.replace('"x"]]}', '"x"]]'),
      "\ufeff" + ok,
    ];
    for (const text of left) {
      expect(fromBytes(Buffer.from(text), madeUp), text).toBeUndefined();
    }
    // Bytes that are not UTF-8 are decoded with replacement characters the usual way, and never read as bytes.
    const bytes = Buffer.from(ok);
    bytes[bytes.indexOf('"x"') + 1] = 0xff;
    expect(fromBytes(bytes, madeUp)).toBeUndefined();
  });

  it("never accepts a body the usual way refuses, nor reads one otherwise (random changes to valid bodies)", () => {
    const base = Buffer.from(
      JSON.stringify({
        program,
        date,
        columns: ["id", "born", "level", "months", "area", "note", "active", "homes"],
        rows: [
          ["a", "1980-01-02", "初级", 12, -3.25, "n", true, [{ areaM2: 1.5, owner: "self", rooms: [{ m2: 3 }] }]],
          ["b", null, "中级", 0, 1e-3, "", false, []],
          ["c", "2000-10-20", "", 600, 0, "新", null, [{}]],
        ],
      }),
    );
    const alphabet = Buffer.from(' \n\t"\\,:[]{}0123456789.-+eEtrufalsn中a');
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let accepted = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const at = random(base.length);
      const byte = alphabet[random(alphabet.length)];
      const kind = random(3);
      const changed =
        kind === 0
          ? Buffer.concat([base.subarray(0, at), base.subarray(at + 1)])
          : kind === 1
            ? Buffer.concat([base.subarray(0, at), Buffer.from([byte]), base.subarray(at)])
            : Buffer.concat([base.subarray(0, at), Buffer.from([byte]), base.subarray(at + 1)]);
      const read = fromBytes(changed, madeUp);
      if (read === undefined) continue;
      accepted++;
      deepStrictEqual(read, usual(changed.toString("utf8"), madeUp), changed.toString("utf8"));
    }
    // Many changes (a space, a digit within a number) leave a body that is read the same either way.
    expect(accepted).toBeGreaterThan(100);
  });
});
