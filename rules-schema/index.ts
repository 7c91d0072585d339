/** Public API of the document format: types, schema, validation and the problem shape. */
export type * from "./types";
export { FORMAT_VERSION, periodsIncludeEvaluationDay } from "./types";
export { validateDocument, validateDocumentText } from "./validate";
export type { ValidationResult } from "./validate";
export { standardSchema, localizedSchema, LOCALIZED_HELP_KEYWORDS } from "./schema";
export type { JsonSchema, SchemaLang } from "./schema";
export { PROBLEM_CATALOGUE, problem, joinPointer, splitPointer, pointerSegment } from "./errors";
export type { ValidationProblem, ProblemCode } from "./errors";
export { checkSemantics } from "./semantic";
export { parseJsonText, nodeAtPointer } from "./locate";
export type { TextPosition, LocatedText, ParsedJson } from "./locate";
export { APPLICANT, applicationFacts, personFactKey, personLabel, otherPersons } from "./persons";
