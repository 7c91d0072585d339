/** The header row of a CSV file from its first bytes (the upload's first step), decoded as the whole file will be. */
import Papa from "papaparse";
import { decodeText, type TextEncodingName } from "./encoding";

/** The first bytes read for a header: enough for any header, never the whole file. */
export const HEADER_PREVIEW_BYTES = 256 * 1024;

export async function csvHeaderRow(input: AsyncIterable<Buffer | Uint8Array>): Promise<{ headers: string[]; encoding: TextEncodingName }> {
  async function* firstBytes() {
    let read = 0;
    for await (const chunk of input) {
      const room = HEADER_PREVIEW_BYTES - read;
      if (room <= 0) return;
      const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
      read += piece.length;
      yield piece;
    }
  }
  const decoded = decodeText(firstBytes(), { truncated: true });
  let text = "";
  for await (const chunk of decoded.chunks) {
    text += chunk;
    // The header is complete once a line break outside quotes follows it; PapaParse's preview decides.
    if (text.includes("\n")) {
      const parsed = Papa.parse<string[]>(text, { preview: 1 });
      if (parsed.data.length > 0 && text.length > 0 && parsed.data[0].length > 0 && !parsed.errors.some((e) => e.type === "Quotes")) {
        return { headers: parsed.data[0].map(String), encoding: decoded.encoding() ?? "utf-8" };
      }
    }
  }
  const parsed = Papa.parse<string[]>(text, { preview: 1 });
  return { headers: (parsed.data[0] ?? []).map(String), encoding: decoded.encoding() ?? "utf-8" };
}
