/**
 * The text encodings applicant files arrive in, detected and decoded while the file streams: UTF-8 (with or without a
 * byte-order mark), UTF-16 LE/BE (Excel's "Unicode text", with its mark), and GB18030, the superset of GBK that Excel
 * on Chinese Windows writes ("CSV (逗号分隔)"). Decoding is strict: a byte that is not valid in the encoding read ends
 * the reading with its line and character, and so does text already holding U+FFFD (damaged by an earlier wrong
 * conversion), so that no replacement character is ever stored. Node's own TextDecoder (full ICU) does the decoding.
 */
import { FileRefusedError, rowError } from "./errors";

export type TextEncodingName = "utf-8" | "utf-16le" | "utf-16be" | "gb18030";

export const ENCODING_LABELS: Record<TextEncodingName, { zh: string; en: string }> = {
  "utf-8": { zh: "UTF-8", en: "UTF-8" },
  "utf-16le": { zh: "UTF-16（小端）", en: "UTF-16 (little-endian)" },
  "utf-16be": { zh: "UTF-16（大端）", en: "UTF-16 (big-endian)" },
  gb18030: { zh: "GB18030/GBK（简体中文 Windows 的 Excel）", en: "GB18030/GBK (Excel on Chinese Windows)" },
};

const NON_ASCII = /[\u0080-\uffff]/;

/** Where decoding stands: lines and characters already given out, to locate a refusal. */
class Position {
  line = 1;
  column = 0;
  advance(text: string): void {
    let last = -1;
    for (let k = text.indexOf("\n"); k >= 0; k = text.indexOf("\n", k + 1)) {
      this.line++;
      last = k;
    }
    this.column = last >= 0 ? text.length - last - 1 : this.column + text.length;
  }
  /** The line and 1-based character of `text[index]`, `text` following what was given out. */
  at(text: string, index: number): { line: number; column: number } {
    const before = text.slice(0, index);
    const newline = before.lastIndexOf("\n");
    let line = this.line;
    for (let k = before.indexOf("\n"); k >= 0; k = before.indexOf("\n", k + 1)) line++;
    return { line, column: (newline >= 0 ? index - newline - 1 : this.column + index) + 1 };
  }
}

function refusal(encoding: TextEncodingName, where: { line: number; column: number }, damaged: boolean): FileRefusedError {
  const name = ENCODING_LABELS[encoding];
  const zh = damaged
    ? `第 ${where.column} 个字符是替换符“�”：文件在此前的一次转换中已损坏，请从原始系统重新导出`
    : `第 ${where.column} 个字符处的字节不是有效的 ${name.zh} 编码，文件也不是 UTF-8、UTF-16 或 GB18030/GBK 中的任何一种；请在 Excel 中“另存为 CSV UTF-8”后重新上传`;
  const en = damaged
    ? `character ${where.column} is the replacement character "�": the file was damaged by an earlier conversion; export it again from the source system`
    : `the bytes at character ${where.column} are not valid ${name.en}, and the file is none of UTF-8, UTF-16 or GB18030/GBK; save it from Excel as "CSV UTF-8" and upload it again`;
  return new FileRefusedError(rowError("badEncoding", where.line, undefined, zh, en, { encoding, column: where.column, damaged }));
}

export interface DecodedText {
  /** The text, in pieces. Throws `FileRefusedError` at the first byte that does not decode. */
  chunks: AsyncGenerator<string>;
  /** The encoding read, once known (at the first byte that tells, else at the end: plain ASCII reads as UTF-8). */
  encoding(): TextEncodingName | undefined;
}

/**
 * Decodes a stream of bytes. Without a byte-order mark the file is UTF-8 unless its first byte beyond ASCII is not
 * valid UTF-8: then it is GB18030 (both agree on ASCII, so the text before is the same either way).
 * `truncated`: the bytes are the beginning of a file (a header preview), so a character cut at the end is dropped.
 */
export function decodeText(input: AsyncIterable<Buffer | Uint8Array | string>, opts: { truncated?: boolean } = {}): DecodedText {
  let encoding: TextEncodingName | undefined;
  let decoder: TextDecoder | undefined;
  const position = new Position();

  const choose = (name: TextEncodingName) => {
    encoding = name;
    decoder = new TextDecoder(name, { fatal: true });
  };

  const emit = (text: string): string => {
    const damaged = text.indexOf("\uFFFD");
    if (damaged >= 0) throw refusal(encoding!, position.at(text, damaged), true);
    position.advance(text);
    return text;
  };

  const decode = (bytes: Uint8Array, final: boolean): string => {
    try {
      return decoder!.decode(bytes, { stream: !final });
    } catch {
      // Located by decoding again leniently: the first replacement character stands for the first bad byte.
      const lenient = new TextDecoder(encoding!).decode(bytes);
      throw refusal(encoding!, position.at(lenient, Math.max(0, lenient.indexOf("\uFFFD"))), false);
    }
  };

  /** Reads the byte-order mark (or UTF-16's zero bytes) of the file's first bytes; returns the bytes after the mark. */
  const afterMark = (bytes: Buffer): Buffer => {
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return choose("utf-8"), bytes.subarray(3);
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return choose("utf-16le"), bytes.subarray(2);
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return choose("utf-16be"), bytes.subarray(2);
    // UTF-16 without a mark: ASCII characters with a zero byte after (or before) each.
    if (bytes.length >= 4 && bytes[0] !== 0 && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0) return choose("utf-16le"), bytes;
    if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] !== 0 && bytes[2] === 0 && bytes[3] !== 0) return choose("utf-16be"), bytes;
    return bytes;
  };

  async function* chunks(): AsyncGenerator<string> {
    let pending: Buffer = Buffer.alloc(0);
    let first = true;
    for await (const piece of input) {
      let bytes = typeof piece === "string" ? Buffer.from(piece, "utf8") : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      if (pending.length > 0) {
        bytes = Buffer.concat([pending, bytes]);
        pending = Buffer.alloc(0);
      }
      if (first) {
        if (bytes.length < 4) {
          pending = bytes;
          continue;
        }
        first = false;
        bytes = afterMark(bytes);
      }
      if (decoder) {
        const text = decode(bytes, false);
        if (text !== "") yield emit(text);
        continue;
      }
      // ASCII so far: given out as it is, until the first byte beyond ASCII decides the encoding.
      const latin1 = bytes.toString("latin1");
      const beyond = latin1.search(NON_ASCII);
      if (beyond < 0) {
        if (latin1 !== "") yield emit(latin1);
        continue;
      }
      if (beyond > 0) yield emit(latin1.slice(0, beyond));
      const rest = bytes.subarray(beyond);
      if (rest.length < 4) {
        // Too few bytes to tell: wait for the next piece.
        pending = rest;
        continue;
      }
      choose(firstRunIsUtf8(rest) ? "utf-8" : "gb18030");
      const text = decode(rest, false);
      if (text !== "") yield emit(text);
    }
    if (first && pending.length > 0) pending = afterMark(pending);
    if (!decoder) {
      if (pending.length === 0) {
        encoding ??= "utf-8";
        return;
      }
      choose(firstRunIsUtf8(pending, !opts.truncated) ? "utf-8" : "gb18030");
    }
    // A preview of a file's first bytes may end inside a character: that character is left out.
    const text = decode(pending, !opts.truncated);
    if (text !== "") yield emit(text);
  }

  return { chunks: chunks(), encoding: () => encoding };
}

/**
 * Whether the first run of bytes beyond ASCII is valid UTF-8: the first Chinese word of the file, say. Only that run
 * decides, because UTF-8 Chinese also decodes (as nonsense) in GB18030; a file that goes on in another encoding is
 * then refused where it changes. A run cut by the end of `bytes` may end inside a character unless `final`.
 */
function firstRunIsUtf8(bytes: Uint8Array, final = false): boolean {
  let end = 0;
  while (end < bytes.length && bytes[end] >= 0x80) end++;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, end), { stream: end === bytes.length && !final });
    return true;
  } catch {
    return false;
  }
}
