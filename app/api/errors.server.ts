/**
 * The API's one error shape, the validator's: `{code, path, message: {zh, en}, params}`, with `path` a JSON pointer
 * into the request body ("" = the whole body) and `line`/`column` when the body is not valid JSON.
 */
export interface ApiProblem {
  code: string;
  path: string;
  message: { zh: string; en: string };
  params: Record<string, unknown>;
  line?: number;
  column?: number;
}

/** Thrown by handlers; turned into a response with status and `{errors: [...]}` by the router. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problems: ApiProblem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(problems[0]?.message.en ?? `HTTP ${status}`);
  }
}

export function apiProblem(code: string, path: string, zh: string, en: string, params: Record<string, unknown> = {}): ApiProblem {
  return { code, path, message: { zh, en }, params };
}

export function apiError(status: number, code: string, path: string, zh: string, en: string, params: Record<string, unknown> = {}): ApiError {
  return new ApiError(status, [apiProblem(code, path, zh, en, params)]);
}

const JSON_HEADERS = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" };

/** An answer before it becomes a web `Response` (Remix) or is written straight to Node's response (Express). */
export interface ApiReply {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or its UTF-8 bytes (a batch worker's answer, moved to the receiving thread without a copy). */
  body: string | Uint8Array;
}

/** A reply's body as text. */
export function replyText(reply: ApiReply): string {
  return typeof reply.body === "string" ? reply.body : Buffer.from(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength).toString("utf8");
}

export function jsonReply(body: unknown, status = 200, headers: Record<string, string> = {}): ApiReply {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** An answer whose JSON text is already written. */
export function jsonTextReply(text: string, status = 200): ApiReply {
  return { status, headers: { ...JSON_HEADERS }, body: text };
}

export function errorReply(error: ApiError): ApiReply {
  return jsonReply({ errors: error.problems }, error.status, error.headers);
}
