/** A number as JSON.stringify writes it (null for one that is not finite). */
export function numberJson(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}

/**
 * UTF-8 bytes written a piece at a time into a buffer that grows and can be reused: the table form's logged output
 * and answer (batch.server.ts). Numbers and quoted texts come out exactly as JSON.stringify writes them. Writing bytes
 * spares what texts cost there: each applicant's text was a chain of small pieces that was walked once to join the
 * output, again to build the answer, and once more to encode each of them as UTF-8.
 */
export class ByteWriter {
  bytes = new Uint8Array(1 << 16);
  length = 0;

  private room(count: number): void {
    if (this.length + count <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + count));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** A text's UTF-8 bytes: ASCII copied a character at a time, any other text encoded by Buffer. */
  text(text: string): void {
    const count = text.length;
    this.room(count);
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < count; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) {
        this.copy(Buffer.from(text, "utf8"));
        return;
      }
      bytes[at++] = code;
    }
    this.length = at;
  }

  /** One ASCII character. */
  char(code: number): void {
    if (this.length === this.bytes.length) this.room(1);
    this.bytes[this.length++] = code;
  }

  /**
   * A number as JSON writes it. Most are whole numbers (points, totals, decision ids), whose digits are written
   * straight into the buffer: converting each to a text first, then copying that, cost twice as much.
   */
  number(value: number): void {
    if ((value | 0) !== value) {
      this.text(numberJson(value));
      return;
    }
    if (value < 0) {
      this.char(0x2d);
      value = -value;
    }
    this.room(10);
    const bytes = this.bytes;
    let end = this.length + (value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : value < 10000 ? 4 : String(value).length);
    this.length = end;
    do {
      const next = (value / 10) | 0;
      bytes[--end] = 0x30 + value - next * 10;
      value = next;
    } while (value !== 0);
  }

  /**
   * A text as a JSON string. Plain ASCII (no quote, backslash or control character), as applicant ids mostly are,
   * is copied between quotes a character at a time; any other text is written as JSON.stringify writes it.
   */
  quoted(text: string): void {
    const count = text.length;
    this.room(count + 2);
    const bytes = this.bytes;
    let at = this.length;
    bytes[at++] = 0x22;
    for (let i = 0; i < count; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x20 || code === 0x22 || code === 0x5c || code >= 0x80) {
        this.text(JSON.stringify(text));
        return;
      }
      bytes[at++] = code;
    }
    bytes[at++] = 0x22;
    this.length = at;
  }

  copy(source: Uint8Array, start = 0, end = source.length): void {
    this.room(end - start);
    this.bytes.set(source.subarray(start, end), this.length);
    this.length += end - start;
  }

  /** What was written, in a buffer of its own (which may be moved to another thread). */
  owned(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}
