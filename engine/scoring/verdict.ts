/** The program's verdict on an applicant's figures (decision 024), on its own so that the API's workers need no more of the engine than the compiled path. */
import type { Id, StandardDocument, Verdict } from "../../rules-schema/types";

export function verdictOf(doc: StandardDocument, programId: Id, figures: { eligible: boolean; vetoed: boolean; total: number }): Verdict {
  if (figures.vetoed) return "vetoed";
  if (!figures.eligible) return "ineligible";
  const allocation = doc.programs.find((program) => program.id === programId)?.allocation;
  const line = allocation?.kind === "threshold" ? allocation.threshold : allocation?.minimumTotal;
  return line !== undefined && figures.total < line ? "belowLine" : "admitted";
}
