/**
 * The practical limit for Shanghai 2015 (issue 24): the standard scored by a loop written by hand over the cohort's
 * typed arrays, as an engineer would write it for this one document. Everything that depends on a dictionary-coded
 * value (an enum's level, a date's age or years, whether a record's date lies in a look-back window) is a table
 * indexed by the code, built before the clock starts; the timed loop only reads columns and tables and adds.
 * The bench checks every row's total against the engine's before it reports a rate.
 */
import type { StandardDocument } from "../rules-schema/types";
import type { Cohort, RecordsColumn, ScalarColumn } from "../engine/cohorts/cohort";
import { prepareFacts } from "../engine/scoring/derived";
import { evaluationDate } from "../engine/scoring/dates";

type Text = Extract<ScalarColumn, { kind: "text" }>;
type Bool = Extract<ScalarColumn, { kind: "boolean" }>;
type Num = Extract<ScalarColumn, { kind: "number" }>;

/** Returns a function that scores row i and returns its total (the gates' and vetoes' verdict in `verdict[0]`: 1 eligible, 0 not). */
export function shanghai2015ReferenceLoop(doc: StandardDocument, cohort: Cohort, date: string): { scoreRow: (i: number) => number; verdict: Uint8Array } {
  const when = evaluationDate(date);
  const col = <T>(id: string) => cohort.columns[id] as unknown as T;
  const levels = (id: string) => (doc.facts.find((f) => f.id === id)?.values ?? []).map((v) => v.value);
  /** Per code + 1 (slot 0: missing, which takes the fact's default): the level's rank. */
  const rankTable = (id: string) => {
    const column = col<Text>(id);
    const order = levels(id);
    const fallback = doc.facts.find((f) => f.id === id)?.default as string | undefined;
    return Int32Array.from([fallback, ...column.dictionary], (value) => (value === undefined ? -1 : order.indexOf(value)));
  };
  /** Per code + 1 of a date column: a derived fact computed from that date alone (NaN: missing). */
  const { table, derived } = prepareFacts(doc);
  const derivedOfDate = (factId: string, derivedId: string) => {
    const column = col<Text>(factId);
    const slot = derived.ids.indexOf(derivedId);
    return Float64Array.from([undefined, ...column.dictionary], (value) => {
      const scope = { facts: value === undefined ? {} : { [factId]: value }, derived: new Array(derived.ids.length) };
      derived.compute(scope, when);
      const result = scope.derived[slot];
      return typeof result === "number" ? result : NaN;
    });
  };
  void table;
  const inWindow = (column: Text, years: number) => {
    const start = when.lookbackStart(years, 0);
    return Uint8Array.from([undefined, ...column.dictionary], (value) => (value !== undefined && value > start && value <= when.iso ? 1 : 0));
  };

  const edu = rankTable("educationLevel");
  const degree = rankTable("highestDegree");
  const skill = rankTable("skillLevel");
  const title = rankTable("professionalTitle");
  const honour = rankTable("honourLevel");
  const eduCodes = col<Text>("educationLevel").values;
  const degreeCodes = col<Text>("highestDegree").values;
  const skillCodes = col<Text>("skillLevel").values;
  const titleCodes = col<Text>("professionalTitle").values;
  const honourCodes = col<Text>("honourLevel").values;
  // Education tiers over (education, degree): the highest tier that holds, capped at 110.
  const E = levels("educationLevel");
  const D = levels("highestDegree");
  const eduPoints = new Float64Array(edu.length * degree.length);
  for (let a = 0; a < edu.length; a++) {
    for (let b = 0; b < degree.length; b++) {
      const e = edu[a];
      const d = degree[b];
      let p = 0;
      if (e >= E.indexOf("junior_college")) p = 50;
      if (e >= E.indexOf("bachelor")) p = 60;
      if (e >= E.indexOf("bachelor") && d >= D.indexOf("bachelor")) p = 90;
      if (e >= E.indexOf("master") && d >= D.indexOf("master")) p = 100;
      if (e >= E.indexOf("doctor") && d >= D.indexOf("doctor")) p = 110;
      eduPoints[a * degree.length + b] = p;
    }
  }
  // Title or skill over (skill, title): the tiers without the months condition, and those needing it.
  const S = levels("skillLevel");
  const T = levels("professionalTitle");
  const titlePlain = new Float64Array(skill.length * title.length);
  const titleWithMonths = new Float64Array(skill.length * title.length);
  for (let a = 0; a < skill.length; a++) {
    for (let b = 0; b < title.length; b++) {
      const s = skill[a];
      const t = title[b];
      let p = 0;
      if (s === S.indexOf("level5")) p = 15;
      if (s === S.indexOf("level4")) p = 30;
      if (s === S.indexOf("level3")) p = 60;
      let q = p;
      if (s >= S.indexOf("level2") || t >= T.indexOf("intermediate")) q = Math.max(q, 100);
      if (s >= S.indexOf("level1") || t >= T.indexOf("senior")) q = Math.max(q, 140);
      titlePlain[a * title.length + b] = p;
      titleWithMonths[a * title.length + b] = q;
    }
  }
  const H = levels("honourLevel");
  const honourPoints = Float64Array.from(honour, (h) => (h >= H.indexOf("provincial_ministerial") ? 110 : h >= H.indexOf("municipal_comprehensive") ? 60 : h >= H.indexOf("municipal_special") ? 30 : 0));

  const ageOf = derivedOfDate("birthDate", "age");
  const agePoints = Float64Array.from(ageOf, (age) => (age === age && age <= 60 ? Math.min(30, 5 + Math.max(0, Math.floor(56 - age)) * 2) : 0));
  const publicYears = derivedOfDate("publicServiceEmploymentStart", "publicServiceYears");
  const publicPoints = Float64Array.from(publicYears, (y) => (y === y && y >= 5 ? y * 4 : 0));
  const suburbanYears = derivedOfDate("suburbanKeyAreaStart", "suburbanYears");
  const suburbanPoints = Float64Array.from(suburbanYears, (y) => (y === y && y >= 5 ? Math.min(20, y * 2) : 0));
  const marriageYears = derivedOfDate("marriageDate", "marriageYears");
  const marriagePoints = Float64Array.from(marriageYears, (y) => (y === y ? Math.min(40, Math.max(0, y) * 4) : 0));
  const birthCodes = col<Text>("birthDate").values;
  const publicCodes = col<Text>("publicServiceEmploymentStart").values;
  const suburbanCodes = col<Text>("suburbanKeyAreaStart").values;
  const marriageCodes = col<Text>("marriageDate").values;

  const siMonths = col<Num>("siContributionMonths").values;
  const tax = col<Num>("investedFirmAvgAnnualTaxShareYuan").values;
  const hires = col<Num>("investedFirmAvgAnnualLocalHiresShare").values;
  const bool = (id: string) => col<Bool>(id).values;
  const permit = bool("holdsResidencePermit");
  const siActive = bool("siActive");
  const startup = bool("startupTalent");
  const intermediary = bool("innovationIntermediaryTalent");
  const shortage = bool("shortageMajorMatch");
  const fresh = bool("freshGraduate");
  const spouseHukou = bool("spouseShanghaiHukou");
  const familyPlanning = bool("familyPlanningViolation");

  const base = col<RecordsColumn>("siBaseMonths");
  const baseStart = base.start;
  const baseMonth = base.fields[base.fieldIds.indexOf("month")] as Text;
  const baseRatio = (base.fields[base.fieldIds.indexOf("baseRatio")] as Num).values;
  const monthCodes = baseMonth.values;
  const in4 = inWindow(baseMonth, 4);
  const in3 = inWindow(baseMonth, 3);
  const in1 = inWindow(baseMonth, 1);

  const fraud = col<RecordsColumn>("fraudFindings");
  const fraudStart = fraud.start;
  const fraudDate = fraud.fields[fraud.fieldIds.indexOf("decisionDate")] as Text;
  const fraudIn3 = inWindow(fraudDate, 3);
  const fraudCodes = fraudDate.values;
  const fraudBan = (fraud.fields[fraud.fieldIds.indexOf("banImposed")] as Bool).values;

  const offences = col<RecordsColumn>("offences");
  const offenceStart = offences.start;
  const offenceDate = offences.fields[offences.fieldIds.indexOf("decisionDate")] as Text;
  const offenceIn5 = inWindow(offenceDate, 5);
  const offenceCodes = offenceDate.values;
  const kindColumn = offences.fields[offences.fieldIds.indexOf("kind")] as Text;
  const kindCodes = kindColumn.values;
  const detention = kindColumn.dictionary.indexOf("detention");
  const general = kindColumn.dictionary.indexOf("general_criminal");
  const serious = kindColumn.dictionary.indexOf("serious_criminal");

  const degreeCount = degree.length;
  const titleCount = title.length;
  const verdict = new Uint8Array(1);
  const scoreRow = (i: number): number => {
    // Records: social-insurance base months, fraud findings, offences.
    let m080 = 0;
    let m1 = 0;
    let m2 = 0;
    let m3 = 0;
    let m1y = 0;
    for (let r = baseStart[i], end = baseStart[i + 1]; r < end; r++) {
      const code = monthCodes[r] + 1;
      const ratio = baseRatio[r];
      if (in4[code]) {
        if (ratio >= 0.8) m080++;
        if (ratio >= 1) m1++;
        if (ratio >= 2) m2++;
      }
      if (in3[code] && ratio >= 3) m3++;
      if (in1[code] && ratio >= 1) m1y++;
    }
    let deduction = 0;
    let bans = 0;
    for (let r = fraudStart[i], end = fraudStart[i + 1]; r < end; r++) {
      if (fraudIn3[fraudCodes[r] + 1]) {
        deduction -= 150;
        if (fraudBan[r] === 1) bans++;
      }
    }
    let seriousCount = 0;
    for (let r = offenceStart[i], end = offenceStart[i + 1]; r < end; r++) {
      const kind = kindCodes[r];
      if (kind === serious) seriousCount++;
      if (offenceIn5[offenceCodes[r] + 1]) {
        if (kind === detention) deduction -= 50;
        else if (kind === general) deduction -= 150;
      }
    }
    const education = eduPoints[(eduCodes[i] + 1) * degreeCount + degreeCodes[i] + 1];
    const pair = (skillCodes[i] + 1) * titleCount + titleCodes[i] + 1;
    const titleSkill = m1y >= 6 ? titleWithMonths[pair] : titlePlain[pair];
    const months = siMonths[i];
    const baseCategory =
      agePoints[birthCodes[i] + 1] + (titleSkill > education ? titleSkill : education) + (months === months ? Math.floor(months / 12) * 3 : 0);
    const t = tax[i];
    const h = hires[i];
    const investment = t === t ? Math.min(120, Math.floor(t / 100000) * 10) : 0;
    const employment = h === h ? Math.min(120, Math.floor(h / 10) * 10) : 0;
    const siBase = m3 >= 24 ? 120 : m2 >= 36 ? 100 : m1 >= 36 ? 50 : m080 >= 36 ? 25 : 0;
    const bonus =
      (startup[i] === 1 ? 120 : 0) +
      (intermediary[i] === 1 ? 120 : 0) +
      (shortage[i] === 1 ? 30 : 0) +
      (employment > investment ? employment : investment) +
      siBase +
      publicPoints[publicCodes[i] + 1] +
      suburbanPoints[suburbanCodes[i] + 1] +
      (fresh[i] === 1 ? 10 : 0) +
      honourPoints[honourCodes[i] + 1] +
      (spouseHukou[i] === 1 ? marriagePoints[marriageCodes[i] + 1] : 0);
    const total = baseCategory + bonus + deduction;
    verdict[0] = permit[i] === 1 && siActive[i] === 1 && familyPlanning[i] !== 1 && seriousCount === 0 && bans === 0 ? 1 : 0;
    return total < 0 ? 0 : total;
  };
  return { scoreRow, verdict };
}
