/**
 * Mounts the department API directly on Express, ahead of Remix: the same handlers (`handleApiCall`) over Node's
 * request and response, without Remix's route matching or web Request/Response objects, for throughput
 * (docs/decisions/007-department-api.md). Call it before `compression()` so the API's JSON is not gzipped per request.
 */
import type express from "express";
import { handleApiCall } from "./handlers.server";

/** Reads the body up to `limit` bytes; undefined when longer (the rest is not read and the connection is closed). */
function readBody(req: express.Request, limit: number): Promise<string | undefined> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > limit) return Promise.resolve(undefined);
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.pause();
        resolveBody(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolveBody((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString("utf8")));
    req.on("error", reject);
  });
}

export function mountApi(app: express.Express): void {
  app.use("/api/v1", async (req, res, next) => {
    try {
      const url = new URL(req.originalUrl, "http://localhost");
      let bodyRefused = false;
      const reply = await handleApiCall({
        method: req.method,
        pathname: url.pathname,
        query: url.searchParams,
        header: (name) => {
          const value = req.headers[name.toLowerCase()];
          return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
        },
        readText: async (limit) => {
          const text = await readBody(req, limit);
          if (text === undefined) bodyRefused = true;
          return text;
        },
      });
      res.status(reply.status);
      for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
      if (bodyRefused) res.once("finish", () => req.destroy());
      res.end(reply.body);
    } catch (error) {
      next(error);
    }
  });
}
