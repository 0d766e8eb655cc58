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

import express, {
  type Express,
  type NextFunction,
  type Request,
  type Response,
  type Router,
} from "express";
import type { Broker } from "./broker.js";
import { beginRequest, handleTrpcRequest, procedurePathOf } from "./trpc-http.js";

/** Options of `createExpressRouter`. */
export interface ExpressRouterOptions {
  /** Answer 503 to new requests (set while draining for shutdown). */
  readonly isDraining?: (() => boolean) | undefined;
}

/** The broker's routes as an express router. */
export function createExpressRouter(broker: Broker, options: ExpressRouterOptions = {}): Router {
  const router = express.Router();

  router.use((request: Request, response: Response, next: NextFunction) => {
    const requestId = beginRequest(broker, request, response, request.path, options.isDraining);
    if (requestId === undefined) return;
    response.locals.requestId = requestId;
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
    const { registry } = broker.services.metrics;
    response.setHeader("content-type", registry.contentType);
    response.send(await registry.metrics());
  });

  router.use("/trpc", (request: Request, response: Response) => {
    void handleTrpcRequest(
      broker,
      request,
      response,
      procedurePathOf(request.path),
      String(response.locals.requestId),
    );
  });

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
