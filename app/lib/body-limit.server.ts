/**
 * Request bodies read up to a limit: a body over it is refused (413) without being read into memory, whether it
 * declares its length or not. The editor's validate and save share the document limit.
 */
import { translate, type Lang } from "../i18n";

/** The largest standard document the editor validates or saves (the examples are 70-80 KB). */
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
/**
 * The save form's body: the document percent-encoded (a Chinese character's 3 bytes become 9) with the revision.
 * Bounds what is read; the document itself is then held to MAX_DOCUMENT_BYTES.
 */
export const MAX_SAVE_FORM_BYTES = 10 * MAX_DOCUMENT_BYTES;

export const megabytes = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(1);

/** The body as bytes, or undefined when it is (or declares itself) longer than `limit`. */
export async function readBodyWithin(request: Request, limit: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > limit) return undefined;
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The bilingual 413 message for a document over the limit (`bytes` when known). */
export function documentTooLargeMessage(lang: Lang, bytes?: number): string {
  return translate(lang, bytes === undefined ? "documentTooLargeUnknown" : "documentTooLarge", {
    size: bytes === undefined ? "" : megabytes(bytes),
    limit: megabytes(MAX_DOCUMENT_BYTES),
  });
}
