/**
 * Many short texts packed as UTF-8 into large buffers, read back in order. The importer keeps a million rows' facts
 * this way until it stores them: a few hundred MB outside the JS heap rather than a million long-lived strings that
 * the garbage collector would copy out of the young generation and walk on every full collection. It also lets the
 * reader build each row's JSON by plain concatenation, since the text is copied into a buffer at once.
 */

export class PackedTexts {
  private readonly chunks: Buffer[] = [];
  /** Per chunk, the end offset of each of its texts (the next text starts where the previous one ends). */
  private readonly ends: number[][] = [];
  private current: Buffer | undefined;
  private currentEnds: number[] = [];
  private offset = 0;
  private count = 0;

  /** `chunkBytes`: size of each buffer (16 MiB: a few dozen for a million rows). */
  constructor(private readonly chunkBytes = 16 * 1024 * 1024) {}

  get length(): number {
    return this.count;
  }

  push(text: string): void {
    // A UTF-16 unit takes at most 3 bytes in UTF-8, so this much room always holds the whole text.
    const room = text.length * 3;
    if (!this.current || this.offset + room > this.current.length) {
      this.current = Buffer.allocUnsafe(Math.max(this.chunkBytes, room));
      this.currentEnds = [];
      this.chunks.push(this.current);
      this.ends.push(this.currentEnds);
      this.offset = 0;
    }
    this.offset += this.current.write(text, this.offset, "utf8");
    this.currentEnds.push(this.offset);
    this.count += 1;
  }

  /** Calls `visit` with each text in the order pushed, and its index. */
  forEach(visit: (text: string, index: number) => void): void {
    let index = 0;
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c];
      const ends = this.ends[c];
      let start = 0;
      for (let k = 0; k < ends.length; k++) {
        visit(chunk.toString("utf8", start, ends[k]), index++);
        start = ends[k];
      }
    }
  }

  /** The texts in the order pushed, one at a time (for a reader that stops between them). */
  *values(): Generator<string> {
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c];
      const ends = this.ends[c];
      let start = 0;
      for (let k = 0; k < ends.length; k++) {
        yield chunk.toString("utf8", start, ends[k]);
        start = ends[k];
      }
    }
  }
}
