/**
 * The byte writer of the table form's answers and logged outputs (app/api/byte-writer.ts): whatever it writes must be
 * byte for byte what JSON.stringify writes, encoded as UTF-8, since departments parse the answers and a replay
 * compares the logged output.
 */
import { describe, expect, it } from "vitest";
import { ByteWriter } from "../../app/api/byte-writer";

const written = (write: (writer: ByteWriter) => void, writer = new ByteWriter()): string => {
  writer.length = 0;
  write(writer);
  return Buffer.from(writer.bytes.buffer, 0, writer.length).toString("utf8");
};

describe("ByteWriter", () => {
  it("writes numbers as JSON does: whole, negative, fractional, large and not finite", () => {
    const values = [
      0, -0, 1, 9, 10, 99, 100, 999, 1000, 4095, 9999, 10000, 123456, 2147483647, -2147483648, 2147483648, 4294967296, -1, -10, -99999, 0.5, -0.25, 1.1,
      12.345, 1e21, 1e-7, -1e21, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, NaN, Infinity, -Infinity,
    ];
    for (const value of values) expect(written((w) => w.number(value)), String(value)).toBe(JSON.stringify(value));
    expect(written((w) => values.forEach((v, i) => (i > 0 && w.char(0x2c), w.number(v))))).toBe(JSON.stringify(values).slice(1, -1));
  });

  it("quotes texts as JSON does: ASCII, quotes, backslashes, control characters, Chinese and lone surrogates", () => {
    const texts = ["", "B12", 'q"uote', "back\\slash", "tab\there", "line\nbreak", "\u0000\u001f\u007f", "申请人-7", "混合 mixed", "😀", "\ud800 alone", "end\udc00"];
    for (const text of texts) expect(written((w) => w.quoted(text)), JSON.stringify(text)).toBe(JSON.stringify(text));
  });

  it("grows past its first buffer and keeps what was written", () => {
    const writer = new ByteWriter();
    const ids = Array.from({ length: 20_000 }, (_, i) => (i % 3 === 0 ? `申请人${i}` : `A${i}`));
    const text = written((w) => ids.forEach((id, i) => (w.char(0x5b), w.quoted(id), w.char(0x2c), w.number(i * 7 - 3), w.char(0x5d))), writer);
    expect(writer.bytes.length).toBeGreaterThan(1 << 16);
    expect(text).toBe(ids.map((id, i) => JSON.stringify([id, i * 7 - 3])).join(""));
    expect(Buffer.from(writer.owned()).toString("utf8")).toBe(text);
  });
});
