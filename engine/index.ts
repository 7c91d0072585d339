export type * from "./types";
export { scoreApplicant, UnknownProgramError } from "./scoring/reference";
export { compileProgram, scoreMany, type CompiledProgram, type CompileOptions } from "./scoring/compiled";
export { runTestCases, type TestCaseResult, type TestCaseDifference, type ScoringPath } from "./scoring/testcases";
export { computeDerivedFacts, orderDerived, DerivedCycleError } from "./scoring/derived";
export { comparatorFor, customOperators, builtInOperators, registerOperators, UnknownOperatorError } from "./scoring/operators";
export { MalformedConditionError } from "./scoring/conditions";
