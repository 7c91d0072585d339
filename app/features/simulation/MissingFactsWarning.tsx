import { pick } from "~/i18n";
import { useSimulationMessages } from "./messages";

/** Facts a version reads that the cohort has no value for: everyone is scored as if they were not given. */
export function MissingFactsWarning({ missing }: { missing: Array<{ label: { zh: string; en: string }; baseline: boolean; candidate: boolean }> }) {
  const { lang, m } = useSimulationMessages();
  return (
    <div className="notice notice-bad" role="alert" data-testid="missing-facts">
      <p>{m("missingFactsIntro", { count: missing.length })}</p>
      <ul>
        {missing.map((fact) => (
          <li key={fact.label.zh}>
            {pick(lang, fact.label)}
            {lang === "en" ? " " : null}
            <span className="muted">{m(fact.baseline && fact.candidate ? "missingReadByBoth" : fact.candidate ? "missingReadByCandidate" : "missingReadByBaseline")}</span>
          </li>
        ))}
      </ul>
      <p className="small">{m("missingFactsHint")}</p>
    </div>
  );
}
