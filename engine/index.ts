export type * from "./types";
export { scoreApplicant, UnknownProgramError } from "./reference";
export { compileProgram, scoreMany, type CompiledProgram, type CompileOptions } from "./compiled";
export { runTestCases, type TestCaseResult, type TestCaseDifference, type ScoringPath } from "./testcases";
export { computeDerivedFacts, orderDerived, DerivedCycleError } from "./derived";
export { comparatorFor, customOperators, builtInOperators, registerOperators, UnknownOperatorError } from "./operators";
export { MalformedConditionError } from "./conditions";
