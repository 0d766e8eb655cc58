/**
 * The tRPC endpoint over Node's HTTP objects, and the per-request bookkeeping every route shares
 * (request id, 400 for keys in URLs, 503 while draining, metrics and the request log line).
 *
 * Why not tRPC's own node/express adapter: it streams every response (a `WritableStream` piped
 * from the `Response` body, written with chunked encoding and a separate final write), which on
 * a busy server costs more than the call itself. This adapter still answers through tRPC's
 * `resolveResponse`, so the wire protocol, batching, method override and error shapes are
 * tRPC's, but it reads the body into one string and writes each answer in one `end()` with a
 * `content-length`. Streaming responses (`trpc-accept: application/jsonl`) are still answered,
 * once complete. The router has no subscriptions.
 */

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { TRPCError } from "@trpc/server";
import { createURL } from "@trpc/server/adapters/node-http";
import { resolveResponse } from "@trpc/server/http";
import { containsApiKey } from "./api-keys.js";
import type { Broker } from "./broker.js";

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

function requestIdOf(request: IncomingMessage): string {
  const header = request.headers["x-request-id"];
  return typeof header === "string" && requestIdPattern.test(header) ? header : randomUUID();
}

/** The path part of a request URL (no query string). */
export function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

function routeOf(path: string): string {
  if (path.startsWith("/trpc")) return "trpc";
  if (path === "/healthz" || path === "/readyz" || path === "/metrics") return path.slice(1);
  return "other";
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.statusCode = status;
  response.setHeader("content-type", "application/json; charset=utf-8");
  response.setHeader("content-length", Buffer.byteLength(text));
  response.end(text);
}

/**
 * Starts a request: assigns its id (header `x-request-id`), arranges its metrics and log line,
 * and refuses URLs holding an API key (400) and requests while draining (503).
 * @param path The request's path as the caller sees it, for metrics and the log line.
 * @returns the request id, or undefined when the request was already answered.
 */
export function beginRequest(
  broker: Broker,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  isDraining: (() => boolean) | undefined,
): string | undefined {
  const { logger, metrics } = broker.services;
  const requestId = requestIdOf(request);
  const started = performance.now();
  response.setHeader("x-request-id", requestId);
  response.on("finish", () => {
    metrics.httpRequests.inc({ route: routeOf(path), status: String(response.statusCode) });
    // The path only: tRPC puts query inputs in the query string, and they may hold data.
    if (logger.isLevelEnabled("info")) {
      logger.info(
        {
          requestId,
          method: request.method,
          path,
          status: response.statusCode,
          durationMs: Math.round((performance.now() - started) * 100) / 100,
        },
        "request",
      );
    }
  });
  const url = (request as { originalUrl?: string }).originalUrl ?? request.url ?? "";
  if (containsApiKey(url)) {
    sendJson(response, 400, {
      error: "API keys are never accepted in URLs; send Authorization: Bearer <key>",
      requestId,
    });
    return undefined;
  }
  if (isDraining?.()) {
    response.setHeader("connection", "close");
    sendJson(response, 503, { error: "The server is shutting down", requestId });
    return undefined;
  }
  return requestId;
}

type BodyResult = { readonly text: string } | { readonly tooLarge: true };

/** Reads the whole body as UTF-8, stopping once it passes `maxBytes`. */
function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        // The rest of the body is discarded by Node when the response ends.
        request.resume();
        resolve({ tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      const text =
        chunks.length === 1
          ? (chunks[0] as Buffer).toString("utf8")
          : Buffer.concat(chunks).toString("utf8");
      resolve({ text });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", onError);
  });
}

function fetchHeaders(request: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = request.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    headers.append(raw[index] as string, raw[index + 1] as string);
  }
  return headers;
}

/**
 * The part of a fetch `Request` that tRPC's JSON handling reads (`url`, `method`, `headers`,
 * `signal`, `text()`): JSON and GET requests get this light stand-in instead of an undici
 * `Request`, whose construction, body stream and signal cost more than a small call does. Any
 * other content type (form data, octet streams) gets a real `Request`.
 */
interface JsonRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly signal: AbortSignal;
  text(): Promise<string>;
}

function isJson(request: IncomingMessage): boolean {
  const type = request.headers["content-type"];
  if (type === undefined) return false;
  const semicolon = type.indexOf(";");
  return (
    (semicolon === -1 ? type : type.slice(0, semicolon)).trim().toLowerCase() === "application/json"
  );
}

/** A signal that aborts when the client goes away before its answer was written. */
function disconnectSignal(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once("close", () => {
    if (!response.writableEnded) controller.abort();
  });
  return controller.signal;
}

async function toFetchRequest(
  request: IncomingMessage,
  response: ServerResponse,
  maxBodyBytes: number,
): Promise<Request> {
  const url = createURL(request);
  const method = request.method ?? "GET";
  const headers = fetchHeaders(request);
  const light = (text: string): Request => {
    const stand: JsonRequest = {
      url: url.href,
      method,
      headers,
      signal: disconnectSignal(response),
      text: () => Promise.resolve(text),
    };
    return stand as unknown as Request;
  };
  if (method === "GET" || method === "HEAD") return light("");
  // A body parser mounted before this endpoint (in an app embedding the express router) has
  // already read the stream and left what it parsed on `request.body`.
  const parsed = (request as { body?: unknown }).body;
  if (parsed !== undefined) {
    const text = typeof parsed === "string" ? parsed : JSON.stringify(parsed);
    return isJson(request) ? light(text) : new Request(url, { method, headers, body: text });
  }
  if (request.readableEnded) return new Request(url, { method, headers });
  const body = await readBody(request, maxBodyBytes);
  if ("text" in body) {
    return isJson(request)
      ? light(body.text)
      : new Request(url, { method, headers, body: body.text });
  }
  // Answered by tRPC as 413 when it reads the body, as its own adapter does.
  response.setHeader("connection", "close");
  const refused = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.error(new TRPCError({ code: "PAYLOAD_TOO_LARGE" }));
    },
  });
  return new Request(url, { method, headers, body: refused, duplex: "half" } as RequestInit);
}

/**
 * Serves one tRPC request. `procedurePath` is the part after the endpoint's mount point
 * (`vault.store`, or `vault.store,vault.retrieve` for a batch). Never rejects: failures are
 * answered with a tRPC error shape (or a plain 500 if even that fails).
 */
export async function handleTrpcRequest(
  broker: Broker,
  request: IncomingMessage,
  response: ServerResponse,
  procedurePath: string,
  requestId: string,
): Promise<void> {
  try {
    const fetchRequest = await toFetchRequest(request, response, broker.limits.maxBodyBytes);
    const answer = await resolveResponse({
      router: broker.router,
      req: fetchRequest,
      path: procedurePath,
      error: null,
      maxBatchSize: broker.limits.maxBatchSize,
      allowMethodOverride: true,
      createContext: ({ info }) =>
        broker.createContext({
          authorization: request.headers.authorization,
          requestId,
          remoteAddress: request.socket.remoteAddress,
          calls: info.calls.length,
        }),
    });
    response.statusCode = answer.status;
    for (const [name, value] of answer.headers) {
      if (name !== "set-cookie") response.setHeader(name, value);
    }
    if (answer.body === null) {
      response.end();
      return;
    }
    const body = Buffer.from(await answer.arrayBuffer());
    response.setHeader("content-length", body.length);
    response.end(body);
  } catch (error) {
    broker.logger.error({ err: error, requestId }, "unhandled tRPC adapter failure");
    if (response.headersSent) response.end();
    else sendJson(response, 500, { error: "Internal server error", requestId });
  }
}

/** The procedure path of a request under `/trpc` (`/trpc/vault.store?x` → `vault.store`). */
export function procedurePathOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
