/**
 * `@agentvault/server/express`: the broker as an express 5 router. Mount it in your own app, or
 * let `createServer` do it.
 *
 * | route | what |
 * |---|---|
 * | `/trpc/*` | the tRPC API |
 * | `/healthz` | the process is up (always 200 while serving) |
 * | `/readyz` | the storage answers (200) or not (503) |
 * | `/metrics` | Prometheus metrics |
 *
 * Every response carries `x-request-id` (the caller's, when well-formed, else a new UUID),
 * which also appears in logs and audit entries. URLs holding something shaped like an API key
 * are refused with 400 before anything logs them: keys belong in the `Authorization` header.
 */

import { randomUUID } from "node:crypto";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express, {
  type Express,
  type NextFunction,
  type Request,
  type Response,
  type Router,
} from "express";
import { containsApiKey } from "./api-keys.js";
import type { Broker } from "./broker.js";

/** Options of `createExpressRouter`. */
export interface ExpressRouterOptions {
  /** Answer 503 to new requests (set while draining for shutdown). */
  readonly isDraining?: (() => boolean) | undefined;
}

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

function requestIdOf(request: Request): string {
  const header = request.headers["x-request-id"];
  return typeof header === "string" && requestIdPattern.test(header) ? header : randomUUID();
}

function routeOf(path: string): string {
  if (path.startsWith("/trpc")) return "trpc";
  if (path === "/healthz" || path === "/readyz" || path === "/metrics") return path.slice(1);
  return "other";
}

/** The broker's routes as an express router. */
export function createExpressRouter(broker: Broker, options: ExpressRouterOptions = {}): Router {
  const router = express.Router();
  const { logger, metrics } = broker.services;

  router.use((request: Request, response: Response, next: NextFunction) => {
    const requestId = requestIdOf(request);
    const started = performance.now();
    response.locals.requestId = requestId;
    response.setHeader("x-request-id", requestId);
    response.on("finish", () => {
      const route = routeOf(request.path);
      metrics.httpRequests.inc({ route, status: String(response.statusCode) });
      // The path only: tRPC puts query inputs in the query string, and they may hold data.
      logger.info(
        {
          requestId,
          method: request.method,
          path: request.path,
          status: response.statusCode,
          durationMs: Math.round((performance.now() - started) * 100) / 100,
        },
        "request",
      );
    });
    if (containsApiKey(request.originalUrl)) {
      response.status(400).json({
        error: "API keys are never accepted in URLs; send Authorization: Bearer <key>",
        requestId,
      });
      return;
    }
    if (options.isDraining?.()) {
      response.setHeader("connection", "close");
      response.status(503).json({ error: "The server is shutting down", requestId });
      return;
    }
    next();
  });

  router.get("/healthz", (_request, response) => {
    response.json({ ok: true });
  });

  router.get("/readyz", async (_request, response) => {
    const status = await broker.ready().catch(() => ({ ok: false, message: "unreachable" }));
    response.status(status.ok ? 200 : 503).json({ ok: status.ok });
  });

  router.get("/metrics", async (_request, response) => {
    response.setHeader("content-type", metrics.registry.contentType);
    response.send(await metrics.registry.metrics());
  });

  router.use(
    "/trpc",
    createExpressMiddleware({
      router: broker.router,
      createContext: ({ req, res, info }) =>
        broker.createContext({
          authorization: req.headers.authorization,
          requestId: String(res.locals.requestId),
          remoteAddress: req.socket.remoteAddress,
          calls: info.calls.length,
        }),
      maxBodySize: broker.limits.maxBodyBytes,
      maxBatchSize: broker.limits.maxBatchSize,
      allowMethodOverride: true,
    }),
  );

  return router;
}

/**
 * The fallbacks of a standalone app: JSON 404s, and an error handler that never prints stacks
 * (express's default one does). `createServer` installs them after the router.
 */
export function installFallbacks(app: Express, broker: Broker): void {
  app.use((_request: Request, response: Response) => {
    response.status(404).json({ error: "Not found" });
  });
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    const code = typeof status === "number" && status >= 400 && status < 500 ? status : 500;
    if (code === 500) {
      broker.logger.error({ err: error, requestId: response.locals.requestId }, "unhandled");
    }
    response.status(code).json({ error: code === 500 ? "Internal server error" : "Bad request" });
  });
}
