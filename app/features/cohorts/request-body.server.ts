/**
 * A request body that a reader may stop reading early without losing the response. Stopping the request's own stream
 * cancels it, which destroys the socket: the client then gets no answer at all, however clear the error found on
 * line 2. Here the reader gets a stream of its own, and `drain` reads the rest of the body (its length is declared
 * and held to the upload limit) so that the response goes out on a healthy connection.
 */
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream, ReadableStreamReadResult } from "node:stream/web";

export function drainableBody(body: ReadableStream<Uint8Array>): { input: Readable; drain(): Promise<void> } {
  const reader = (body as unknown as WebReadableStream<Uint8Array>).getReader();
  // One read at a time: Remix's body stream (StreamPump) stalls for good when two reads wait together.
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  const read = () => (pending = reader.read().finally(() => (pending = undefined)));
  const input = new Readable({
    read() {
      read().then(
        ({ done, value }) => {
          if (!this.destroyed) this.push(done ? null : value);
        },
        (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  async function drain() {
    input.destroy();
    try {
      if (pending && (await pending).done) return;
      for (;;) {
        if ((await read()).done) return;
      }
    } catch {
      // The client went away: nothing left to answer.
    }
  }
  return { input, drain };
}
