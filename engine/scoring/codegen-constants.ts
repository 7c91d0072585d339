/**
 * The constants array of generated code (compiled-codegen.ts, columnar.ts): every document or cohort value reaches
 * a generated function as an element of it, named `c0`, `c1` … in the text, never as code text itself.
 */
export class Constants {
  readonly values: unknown[] = [];
  private readonly seen = new Map<unknown, string>();

  /** The name of `value` in the generated text (one name per object or function, however often it is used). */
  ref(value: unknown): string {
    const known = this.seen.get(value);
    if (known !== undefined) return known;
    const name = `c${this.values.length}`;
    this.values.push(value);
    if (value !== null && (typeof value === "object" || typeof value === "function")) this.seen.set(value, name);
    return name;
  }

  /**
   * The function the lines return, with every constant hoisted into a local first. `assertSafe` (the caller's
   * check of engine-made words only) sees the whole text before it runs.
   */
  compile<T>(lines: string[], assertSafe: (source: string) => void): { value: T; source: string } {
    const hoisted = this.values.map((_, n) => `c${n} = c[${n}]`);
    const source = (hoisted.length > 0 ? `const ${hoisted.join(", ")};\n` : "") + lines.join("\n");
    assertSafe(source);
    return { value: new Function("c", source)(this.values) as T, source };
  }
}
