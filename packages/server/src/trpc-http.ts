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
 * once complete. The router has no subscriptions. JSON `POST ?batch=1` batches of queries or
 * mutations skip `resolveResponse` (see `serveFastBatch`): they call the same procedures and
 * build the answer with tRPC's own error shape, status and transform functions.
 */

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { TRPCError } from "@trpc/server";
import { createURL } from "@trpc/server/adapters/node-http";
import { resolveResponse } from "@trpc/server/http";
import {
  type AnyProcedure,
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
  middlewareMarker,
  transformTRPCResponse,
} from "@trpc/server/unstable-core-do-not-import";
import { containsApiKey } from "./api-keys.js";
import type { Broker } from "./broker.js";
import type { RequestContext } from "./trpc.js";

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

/** The light stand-in for a JSON or GET request whose body is `text`. */
function lightRequest(request: IncomingMessage, response: ServerResponse, text: string): Request {
  const stand: JsonRequest = {
    url: createURL(request).href,
    method: request.method ?? "GET",
    headers: fetchHeaders(request),
    signal: disconnectSignal(response),
    text: () => Promise.resolve(text),
  };
  return stand as unknown as Request;
}

/** A request whose body fails as too large: tRPC answers it with 413, as its own adapter does. */
function tooLargeRequest(request: IncomingMessage, response: ServerResponse): Request {
  response.setHeader("connection", "close");
  const refused = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.error(new TRPCError({ code: "PAYLOAD_TOO_LARGE" }));
    },
  });
  return new Request(createURL(request), {
    method: request.method ?? "GET",
    headers: fetchHeaders(request),
    body: refused,
    duplex: "half",
  } as RequestInit);
}

async function toFetchRequest(
  request: IncomingMessage,
  response: ServerResponse,
  maxBodyBytes: number,
): Promise<Request> {
  const method = request.method ?? "GET";
  if (method === "GET" || method === "HEAD") return lightRequest(request, response, "");
  const text = await bodyText(request, maxBodyBytes);
  if (text === undefined) return tooLargeRequest(request, response);
  if (isJson(request)) return lightRequest(request, response, text);
  // A body that was already read to its end has none to give again.
  const hasBody = (request as { body?: unknown }).body !== undefined || !request.readableEnded;
  return new Request(createURL(request), {
    method,
    headers: fetchHeaders(request),
    ...(hasBody ? { body: text } : {}),
  });
}

/** What each middleware of a procedure is called with (tRPC's middleware options). */
interface StepOptions {
  readonly ctx: unknown;
  readonly type: string;
  readonly path: string;
  readonly input: unknown;
  readonly getRawInput: () => Promise<unknown>;
  readonly meta: unknown;
  readonly signal: AbortSignal | undefined;
  readonly batchIndex: number;
  next(options?: {
    ctx?: Record<string, unknown>;
    input?: unknown;
    getRawInput?: () => Promise<unknown>;
  }): Promise<StepResult>;
}

type StepResult =
  | { readonly ok: true; readonly data: unknown; readonly marker: unknown }
  | { readonly ok: false; readonly error: TRPCError; readonly marker: unknown };

type Step = (options: StepOptions) => Promise<StepResult>;

/**
 * Runs a procedure's middleware chain as tRPC's procedure caller does (same steps, same context
 * merging, same error wrapping), building each step's options as one object literal: tRPC's own
 * caller copies the options and the context with a property-descriptor helper at every step,
 * which is most of its cost per call.
 */
async function runSteps(
  procedure: AnyProcedure,
  index: number,
  ctx: unknown,
  input: unknown,
  getRawInput: () => Promise<unknown>,
  path: string,
  signal: AbortSignal,
  batchIndex: number,
): Promise<StepResult> {
  const def = procedure._def as unknown as {
    readonly middlewares: readonly Step[];
    readonly meta: unknown;
    readonly type: string;
  };
  try {
    const step = def.middlewares[index] as Step;
    return await step({
      ctx,
      type: def.type,
      path,
      input,
      getRawInput,
      meta: def.meta,
      signal,
      batchIndex,
      next(options) {
        return runSteps(
          procedure,
          index + 1,
          options?.ctx ? { ...(ctx as Record<string, unknown>), ...options.ctx } : ctx,
          options !== undefined && "input" in options ? options.input : input,
          options?.getRawInput ?? getRawInput,
          path,
          signal,
          batchIndex,
        );
      },
    });
  } catch (cause) {
    return { ok: false, error: getTRPCErrorFromUnknown(cause), marker: middlewareMarker };
  }
}

/** Calls a procedure like `procedure(options)`; throws its error. */
async function invokeProcedure(
  procedure: AnyProcedure,
  ctx: unknown,
  getRawInput: () => Promise<unknown>,
  path: string,
  signal: AbortSignal,
  batchIndex: number,
): Promise<unknown> {
  const result = await runSteps(
    procedure,
    0,
    ctx,
    undefined,
    getRawInput,
    path,
    signal,
    batchIndex,
  );
  if (!result) {
    throw new TRPCError({
      code: "INTERNAL_SERVER_ERROR",
      message: "No result from middlewares - did you forget to `return next()`?",
    });
  }
  if (!result.ok) throw result.error;
  return result.data;
}

/** The procedures of a JSON `POST ?batch=1` request the batch fast path can serve, if any. */
function fastBatchProcedures(
  broker: Broker,
  request: IncomingMessage,
  procedurePath: string,
): AnyProcedure[] | undefined {
  if (request.method !== "POST" || !isJson(request)) return undefined;
  const accept = request.headers["trpc-accept"];
  if (accept !== undefined) return undefined;
  const url = request.url ?? "";
  const query = url.indexOf("?");
  if (query === -1 || !new URLSearchParams(url.slice(query + 1)).has("batch", "1")) {
    return undefined;
  }
  const paths = procedurePath.split(",");
  if (paths.length > broker.limits.maxBatchSize) return undefined;
  // tRPC keeps every procedure under its full dotted path here (what `getProcedureAtPath` reads).
  const procedures = broker.router._def.procedures as unknown as Record<
    string,
    AnyProcedure | undefined
  >;
  const found: AnyProcedure[] = [];
  let type: string | undefined;
  for (const path of paths) {
    // Own properties only: a path such as `constructor` is tRPC's 404, not a procedure.
    const procedure = Object.hasOwn(procedures, path) ? procedures[path] : undefined;
    if (typeof procedure !== "function") return undefined;
    const procedureType = procedure._def.type;
    if (procedureType !== "query" && procedureType !== "mutation") return undefined;
    if (type !== undefined && type !== procedureType) return undefined;
    type = procedureType;
    found.push(procedure);
  }
  return found;
}

/**
 * Runs a JSON batch of queries or mutations the way tRPC's `resolveResponse` does (the same
 * procedure calls, the same input decoding, error shapes, statuses and body), without what it
 * adds per call for streaming and subscriptions: two `AbortSignal.any` per call, a `Response`
 * and its body stream. Anything else (GET, single calls, streaming, unknown or mixed
 * procedures, a body that is not a JSON object) goes through `resolveResponse`.
 * @returns false when the body turned out not to suit this path (then nothing was answered).
 */
async function serveFastBatch(
  broker: Broker,
  request: IncomingMessage,
  response: ServerResponse,
  procedurePath: string,
  procedures: readonly AnyProcedure[],
  requestId: string,
  text: string,
): Promise<boolean> {
  let inputs: unknown;
  try {
    inputs = text === "" ? {} : JSON.parse(text);
  } catch {
    return false;
  }
  if (inputs === null || typeof inputs !== "object" || Array.isArray(inputs)) return false;
  const config = broker.router._def._config;
  const paths = procedurePath.split(",");
  // Decoded together on first use, as tRPC does: one undecodable input fails the whole batch.
  let decoded: unknown[] | undefined;
  const decodeAll = (): unknown[] => {
    if (decoded === undefined) {
      const all: unknown[] = [];
      for (let index = 0; index < paths.length; index++) {
        const raw = (inputs as Record<string, unknown>)[index];
        all.push(raw === undefined ? undefined : config.transformer.input.deserialize(raw));
      }
      decoded = all;
    }
    return decoded;
  };
  let ctx: RequestContext | undefined;
  let ctxError: TRPCError | undefined;
  try {
    ctx = await broker.createContext({
      authorization: request.headers.authorization,
      requestId,
      remoteAddress: request.socket.remoteAddress,
      calls: paths.length,
    });
  } catch (cause) {
    ctxError = getTRPCErrorFromUnknown(cause);
  }
  const signal = disconnectSignal(response);
  const settled = await Promise.all(
    procedures.map(async (procedure, index): Promise<[TRPCError | undefined, unknown]> => {
      if (ctxError !== undefined) return [ctxError, undefined];
      try {
        const data = await invokeProcedure(
          procedure,
          ctx,
          async () => decodeAll()[index],
          paths[index] as string,
          signal,
          index,
        );
        return [undefined, data];
      } catch (cause) {
        return [getTRPCErrorFromUnknown(cause), undefined];
      }
    }),
  );
  const answers = settled.map(([error, data], index) => {
    if (error === undefined) return { result: { data } };
    let input: unknown;
    try {
      input = decodeAll()[index];
    } catch {
      input = undefined;
    }
    return {
      error: getErrorShape({
        config,
        ctx,
        error,
        input,
        path: paths[index] as string,
        type: procedures[index]?._def.type ?? "unknown",
      }),
    };
  });
  const status = getHTTPStatusCode(
    answers,
    settled.map(([error]) => error),
  );
  const body = JSON.stringify(transformTRPCResponse(config, answers));
  response.statusCode = status;
  response.setHeader("vary", "trpc-accept, accept");
  response.setHeader("content-type", "application/json");
  response.setHeader("content-length", Buffer.byteLength(body));
  response.end(body);
  return true;
}

/** The request body as text, or undefined when it is too large (then nothing was consumed past the limit). */
async function bodyText(request: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const parsed = (request as { body?: unknown }).body;
  if (parsed !== undefined) return typeof parsed === "string" ? parsed : JSON.stringify(parsed);
  if (request.readableEnded) return "";
  const body = await readBody(request, maxBytes);
  return "text" in body ? body.text : undefined;
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
    let fetchRequest: Request;
    const fast = fastBatchProcedures(broker, request, procedurePath);
    if (fast !== undefined) {
      const text = await bodyText(request, broker.limits.maxBodyBytes);
      if (text === undefined) {
        // Too large: tRPC's answer, from a body stream that fails the same way.
        fetchRequest = await tooLargeRequest(request, response);
      } else if (
        await serveFastBatch(broker, request, response, procedurePath, fast, requestId, text)
      ) {
        return;
      } else {
        fetchRequest = lightRequest(request, response, text);
      }
    } else {
      fetchRequest = await toFetchRequest(request, response, broker.limits.maxBodyBytes);
    }
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
