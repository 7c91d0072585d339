import { describe, expect, it } from "vitest";
import { PackedTexts } from "./packed-texts";

function unpack(packed: PackedTexts): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  packed.forEach((text, index) => out.push([text, index]));
  return out;
}

describe("PackedTexts", () => {
  it("gives back every text in order, across buffers, with non-ASCII text, empty texts and a text larger than a buffer", () => {
    const texts = ['{"a":1}', "", '{"school":"苏州市第一中学","note":"\\u2028 😀"}', "x".repeat(100), '{"b":true}', "é".repeat(7), ""];
    const packed = new PackedTexts(64);
    for (const text of texts) packed.push(text);
    expect(packed.length).toBe(texts.length);
    expect(unpack(packed)).toEqual(texts.map((text, index) => [text, index]));
  });

  it("is empty until something is pushed", () => {
    const packed = new PackedTexts();
    expect(packed.length).toBe(0);
    expect(unpack(packed)).toEqual([]);
  });
});
