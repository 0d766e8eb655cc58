/**
 * `createServer`: a broker behind express on a Node HTTP server, with graceful shutdown: on
 * `close()` new requests get 503, idle keep-alive connections are closed, requests in flight
 * finish (up to `drainTimeoutMs`), and then the broker releases its connections.
 */

import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express } from "express";
import { type Broker, type BrokerOptions, createBroker } from "./broker.js";
import { createExpressRouter, installFallbacks } from "./express.js";
import { beginRequest, handleTrpcRequest, pathOf, procedurePathOf } from "./trpc-http.js";

/** Options of `createServer`: the broker's, plus HTTP settings. */
export interface ServerOptions extends BrokerOptions {
  /** How long `close()` waits for requests in flight before cutting connections. @default 10_000 */
  readonly drainTimeoutMs?: number | undefined;
}

/** A running (or ready to run) server. */
export interface AgentVaultServer {
  readonly broker: Broker;
  readonly app: Express;
  readonly httpServer: Server;
  /** Starts listening; resolves with the base URL. @default port 8787, host "0.0.0.0" */
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  /** Drains and stops. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates the server.
 *
 * @example
 * const server = createServer({ provider: memoryProvider() });
 * const { url } = await server.listen(8787);
 */
export function createServer(options: ServerOptions): AgentVaultServer {
  const broker = createBroker(options);
  let draining = false;
  let closing: Promise<void> | undefined;
  const isDraining = () => draining;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(createExpressRouter(broker, { isDraining }));
  installFallbacks(app, broker);
  // tRPC requests skip express's router (the same bookkeeping runs in `beginRequest`); every
  // other route goes through the app.
  const httpServer = createHttpServer((request, response) => {
    const url = request.url ?? "/";
    if (!url.startsWith("/trpc/")) {
      app(request, response);
      return;
    }
    const path = pathOf(url);
    const requestId = beginRequest(broker, request, response, path, isDraining);
    if (requestId !== undefined) {
      void handleTrpcRequest(broker, request, response, procedurePathOf(path), requestId);
    }
  });
  httpServer.requestTimeout = broker.limits.callTimeoutMs * 3;
  httpServer.headersTimeout = 30_000;

  async function drain(): Promise<void> {
    draining = true;
    const timeoutMs = options.drainTimeoutMs ?? 10_000;
    if (httpServer.listening) {
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      // Connections go idle as their last response ends; close them then, not at keep-alive timeout.
      httpServer.closeIdleConnections();
      const sweep = setInterval(() => httpServer.closeIdleConnections(), 25);
      const timer = setTimeout(() => httpServer.closeAllConnections(), timeoutMs);
      await closed;
      clearInterval(sweep);
      clearTimeout(timer);
    }
    await broker.close();
  }

  return {
    broker,
    app,
    httpServer,
    listen(port = 8787, host = "0.0.0.0") {
      return new Promise((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(port, host, () => {
          httpServer.off("error", reject);
          const address = httpServer.address() as AddressInfo;
          const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
          resolve({ url: `http://${shownHost}:${address.port}`, port: address.port });
        });
      });
    },
    close() {
      closing ??= drain();
      return closing;
    },
  };
}
