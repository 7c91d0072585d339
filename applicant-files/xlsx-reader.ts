/**
 * The first worksheet of an XLSX workbook, streamed through ExcelJS's reader, with the limits of `limits.ts` checked
 * on every inflated byte, row and cell. ExcelJS (4.4) inflates each zip entry without any bound and caches every
 * shared string; its `parse` is repeated here with each entry passed through a meter first, which stops the reading
 * (an error out of the entry's stream) as soon as a limit is passed.
 */
import { createRequire } from "node:module";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { createWriteStream, createReadStream } from "node:fs";
import { FileRefusedError, rowError } from "./errors";
import { limitError, XLSX_LIMITS, type XlsxLimits } from "./limits";

/** ExcelJS's own unzipper and stream iterator (the versions its reader is written against). */
const excelRequire = createRequire(createRequire(import.meta.url).resolve("exceljs"));

interface ZipEntry extends Readable {
  path: string;
  autodrain(): void;
}

// The unzipper holds up to 16 written chunks: small slices keep the count within 16 KB of what it has inflated.
const COMPRESSED_SLICE = 1024;

/** Counts compressed bytes read and inflated bytes produced, and refuses past a limit. */
class InflateBudget {
  compressed = 0;
  inflated = 0;
  constructor(private readonly limits: XlsxLimits) {}

  /** A pass-through for one entry's inflated bytes. */
  meter(path: string): Transform {
    const { limits } = this;
    const budget = { add: (n: number) => (this.inflated += n), over: () => this.inflated > limits.ratioGraceBytes && this.inflated > this.compressed * limits.inflateRatio };
    let entryBytes = 0;
    const sharedStrings = path === "xl/sharedStrings.xml";
    return new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
        entryBytes += chunk.length;
        if (budget.add(chunk.length) > limits.inflatedBytes) return done(limitError("inflatedBytes", limits));
        if (budget.over()) return done(limitError("inflateRatio", limits));
        if (sharedStrings && entryBytes > limits.sharedStringsBytes) return done(limitError("sharedStringsBytes", limits));
        done(null, chunk);
      },
    });
  }

  /**
   * The compressed input, counted in slices of 1 KB as the unzipper pulls them: the count then stays close to what it
   * has consumed, whatever the size of the chunks read.
   */
  counted(input: Readable): Readable {
    const count = (n: number) => (this.compressed += n);
    return Readable.from(
      (async function* () {
        for await (const chunk of input as AsyncIterable<Buffer>) {
          for (let at = 0; at < chunk.length; at += COMPRESSED_SLICE) {
            const slice = chunk.subarray(at, at + COMPRESSED_SLICE);
            count(slice.length);
            yield slice;
          }
        }
      })(),
      { objectMode: false, highWaterMark: COMPRESSED_SLICE },
    );
  }
}

type ReaderInternals = {
  options: Record<string, unknown>;
  input: Readable;
  sharedStrings?: unknown[];
  workbookRels?: unknown;
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseWorksheet(iterator: AsyncIterable<unknown>, sheetNo: string): Generator<unknown>;
  _parseHyperlinks(iterator: AsyncIterable<unknown>, sheetNo: string): Generator<unknown>;
};

type WorksheetRows = AsyncIterable<{ number: number; values: unknown[] }>;

let readerClass: Promise<new (input: Readable, limits: XlsxLimits) => AsyncIterable<WorksheetRows>> | undefined;

async function limitedReaderClass() {
  const { default: ExcelJS } = await import("exceljs");
  const unzip = excelRequire("unzipper") as { Parse(opts: { forceStream: boolean }): NodeJS.ReadWriteStream };
  const iterateStream = excelRequire("./lib/utils/iterate-stream") as (stream: Readable) => AsyncIterable<unknown>;
  const tmp = excelRequire("tmp") as { file(cb: (err: Error | null, path: string, fd: number, cleanup: () => void) => void): void };
  const Base = ExcelJS.stream.xlsx.WorkbookReader as unknown as new (input: Readable, options: object) => ReaderInternals;

  class LimitedWorkbookReader extends Base {
    constructor(
      input: Readable,
      private readonly limits: XlsxLimits,
    ) {
      super(input, { sharedStrings: "cache", worksheets: "emit", hyperlinks: "ignore", styles: "cache", entries: "ignore" });
    }

    async *[Symbol.asyncIterator](): AsyncGenerator<WorksheetRows> {
      for await (const { eventType, value } of this.parse() as AsyncIterable<{ eventType: string; value: WorksheetRows }>) {
        if (eventType === "worksheet") yield value;
      }
    }

    /** ExcelJS 4.4's `WorkbookReader.parse`, every entry metered. */
    async *parse(): AsyncGenerator<unknown> {
      const budget = new InflateBudget(this.limits);
      const zip = unzip.Parse({ forceStream: true });
      budget.counted(this.input).pipe(zip);
      const waitingWorksheets: Array<{ sheetNo: string; path: string; cleanup: () => void }> = [];
      try {
        for await (const item of iterateStream(zip as unknown as Readable)) {
          const entry = item as ZipEntry;
          const metered = entry.pipe(budget.meter(entry.path));
          // An error in the meter (a limit) must end the reading; pipe alone would leave the entry waiting.
          entry.on("error", (error) => metered.destroy(error));
          const sheet = /^xl\/worksheets\/sheet(\d+)[.]xml$/.exec(entry.path);
          if (entry.path === "xl/_rels/workbook.xml.rels") await this._parseRels(metered);
          else if (entry.path === "xl/workbook.xml") await this._parseWorkbook(metered);
          else if (entry.path === "xl/sharedStrings.xml") yield* this._parseSharedStrings(metered);
          else if (entry.path === "xl/styles.xml") await this._parseStyles(metered);
          else if (sheet) {
            if (this.sharedStrings && this.workbookRels) {
              yield* this._parseWorksheet(iterateStream(metered), sheet[1]);
            } else {
              // The sheet came before the shared strings: kept in a temporary file, as ExcelJS does, within the limits.
              await new Promise<void>((resolve, reject) => {
                tmp.file((err, path, _fd, cleanup) => {
                  if (err) return reject(err);
                  waitingWorksheets.push({ sheetNo: sheet[1], path, cleanup });
                  const file = createWriteStream(path);
                  file.on("error", reject);
                  metered.on("error", reject);
                  metered.pipe(file);
                  file.on("finish", () => resolve());
                });
              });
            }
          } else {
            // Parts not read (themes, properties, drawings) still inflate through the meter.
            await new Promise<void>((resolve, reject) => {
              metered.on("error", reject);
              metered.on("end", resolve);
              metered.resume();
            });
          }
          entry.autodrain();
        }
        for (const { sheetNo, path } of waitingWorksheets) {
          yield* this._parseWorksheet(createReadStream(path) as AsyncIterable<unknown>, sheetNo);
        }
      } finally {
        for (const { cleanup } of waitingWorksheets) cleanup();
      }
    }
  }
  return LimitedWorkbookReader as unknown as new (input: Readable, limits: XlsxLimits) => AsyncIterable<WorksheetRows>;
}

export type XlsxRow = { line: number; cells: unknown[] };

/**
 * The rows of the first worksheet, cells as text (numbers as written, dates as `YYYY-MM-DD`); line = worksheet row.
 * Throws `FileRefusedError` for a limit passed or a file that is not a workbook.
 */
export async function* xlsxWorksheetRows(input: Readable, limits: XlsxLimits = XLSX_LIMITS): AsyncGenerator<XlsxRow> {
  readerClass ??= limitedReaderClass();
  const Reader = await readerClass;
  let rows = 0;
  let cells = 0;
  try {
    for await (const worksheet of new Reader(input, limits)) {
      for await (const row of worksheet) {
        if (++rows > limits.rows) throw limitError("rows", limits, row.number);
        const width = row.values.length - 1;
        if (width > limits.cellsPerRow) throw limitError("cellsPerRow", limits, row.number);
        cells += width;
        if (cells > limits.cells) throw limitError("cells", limits, row.number);
        const values: unknown[] = [];
        for (let k = 1; k <= width; k++) {
          const value = xlsxCell(row.values[k]);
          if (typeof value === "string" && value.length > limits.cellChars) throw limitError("cellChars", limits, row.number);
          values.push(value);
        }
        yield { line: row.number, cells: values };
      }
      return;
    }
  } catch (error) {
    if (error instanceof FileRefusedError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new FileRefusedError(rowError("badXlsx", 0, undefined, `不是有效的 XLSX 文件：${detail}`, `not a valid XLSX file: ${detail}`));
  }
}

function xlsxCell(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "object") {
    const v = value as { richText?: Array<{ text: string }>; result?: unknown; text?: string };
    if (v.richText) return v.richText.map((r) => r.text).join("");
    if ("result" in v) return xlsxCell(v.result);
    if (typeof v.text === "string") return v.text;
  }
  return String(value);
}

/** The first row of the first worksheet (the header), under the same limits as a whole reading. */
export async function xlsxHeaderRow(input: Readable, limits: XlsxLimits = XLSX_LIMITS): Promise<string[]> {
  for await (const row of xlsxWorksheetRows(input, limits)) return row.cells.map((cell) => (cell === undefined ? "" : String(cell)));
  return [];
}
