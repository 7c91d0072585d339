/** The errors of reading an applicant file: located by line (and column), in Chinese and English. */

export interface CohortRowError {
  code:
    | "fileNotFound"
    | "badJson"
    | "notAnObject"
    | "unknownColumn"
    | "badNumber"
    | "notInteger"
    | "outOfRange"
    | "badBoolean"
    | "badDate"
    | "badEnum"
    | "badRecords"
    | "badCsv"
    | "badXlsx"
    | "badEncoding"
    | "fileLimit"
    | "duplicateId";
  /** Line of the file (1-based; the CSV header is line 1); 0 when the file as a whole is refused. */
  line: number;
  column?: string;
  message: { zh: string; en: string };
  params: Record<string, unknown>;
}

export class CohortInputError extends Error {
  constructor(readonly errors: CohortRowError[]) {
    super(errors.map((e) => e.message.en).join("\n"));
    this.name = "CohortInputError";
  }
}

export function rowError(
  code: CohortRowError["code"],
  line: number,
  column: string | undefined,
  zh: string,
  en: string,
  params: Record<string, unknown> = {},
): CohortRowError {
  const where =
    line <= 0
      ? { zh: "", en: "" }
      : column
        ? { zh: `第 ${line} 行，列 “${column}”：`, en: `line ${line}, column "${column}": ` }
        : { zh: `第 ${line} 行：`, en: `line ${line}: ` };
  const en2 = where.en === "" ? en.charAt(0).toUpperCase() + en.slice(1) : en;
  return { code, line, ...(column ? { column } : {}), message: { zh: where.zh + zh, en: where.en + en2 }, params };
}

/** An error that ends the reading of a file (a limit passed, an undecodable byte): carried out of stream callbacks. */
export class FileRefusedError extends Error {
  constructor(readonly error: CohortRowError) {
    super(error.message.en);
    this.name = "FileRefusedError";
  }
}
