/**
 * Redis servers of a test's own: a single server on a free port (the outage test stops and
 * restarts it) or a three-master Redis Cluster (the cluster test). Every process started here is
 * killed by `stop`, and by a process-exit hook should a test run end without calling it.
 */

import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { canConnect, servicesRequired } from "@agentvault/conformance";
import { Redis } from "ioredis";

const run = promisify(execFile);

/** Whether `redis-server` is on PATH. */
export const hasRedisServer = spawnSync("redis-server", ["--version"]).status === 0;
if (!hasRedisServer && servicesRequired()) {
  throw new Error("redis-server is not installed and AGENTVAULT_REQUIRE_SERVICES=1");
}

/** A suite title that says why it is skipped, when it is. */
export function launcherTitle(title: string): string {
  return hasRedisServer ? title : `${title} (skipped: redis-server is not on PATH)`;
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Polls `condition` every 50 ms until it holds or `limitMs` passed; says whether it held. */
export async function until(condition: () => Promise<boolean>, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** Servers still running, killed on process exit if nobody stopped them. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const server of running) server.kill("SIGKILL");
});

/** Starts `redis-server` on `port` without persistence; `extra` arguments are appended. */
export function startServer(port: number, extra: readonly string[] = []): ChildProcess {
  const server = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      ...extra,
    ],
    { stdio: "ignore" },
  );
  running.add(server);
  server.once("exit", () => running.delete(server));
  return server;
}

/** Kills `server` (SIGKILL, so a stopped one dies too) and waits for it to exit. */
export async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGKILL");
  await exited;
}

/** A running Redis Cluster of masters only. */
export interface RedisClusterHandle {
  /** The masters' ports, in creation order. */
  readonly ports: readonly number[];
  /** Kills the node on `port` (as a crash would), leaving the others running. */
  kill(port: number): Promise<void>;
  /** Kills every node and removes their files. */
  stop(): Promise<void>;
}

async function clusterStateOk(port: number): Promise<boolean> {
  const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0 });
  client.on("error", () => {});
  try {
    await client.connect();
    const info = await client.cluster("INFO");
    return /^cluster_state:ok\r?$/m.test(info);
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Starts `masters` cluster-enabled servers on free ports, joins them with
 * `redis-cli --cluster create` (no replicas), and waits until every node reports
 * `cluster_state:ok`. On any failure, whatever was started is stopped before the error is thrown.
 */
export async function startCluster(masters = 3): Promise<RedisClusterHandle> {
  const dir = await mkdtemp(join(tmpdir(), "avtest-redis-cluster-"));
  const servers: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => stopServer(server)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    while (ports.length < masters) {
      const port = await freePort();
      // The cluster bus listens on port + 10000, which must be free (and a valid port) too.
      if (port + 10_000 > 65_535 || ports.includes(port)) continue;
      ports.push(port);
    }
    for (const port of ports) {
      servers.push(
        startServer(port, [
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          join(dir, `nodes-${port}.conf`),
          "--dir",
          dir,
        ]),
      );
    }
    for (const port of ports) {
      if (!(await until(() => canConnect("127.0.0.1", port, 200), 10_000))) {
        throw new Error(`redis-server on port ${port} did not start`);
      }
    }
    await run(
      "redis-cli",
      [
        "--cluster",
        "create",
        ...ports.map((port) => `127.0.0.1:${port}`),
        "--cluster-replicas",
        "0",
        "--cluster-yes",
      ],
      { timeout: 30_000 },
    );
    for (const port of ports) {
      if (!(await until(() => clusterStateOk(port), 20_000))) {
        throw new Error(`cluster node on port ${port} never reported cluster_state:ok`);
      }
    }
    const kill = async (port: number) => {
      const server = servers[ports.indexOf(port)];
      if (server === undefined) throw new Error(`no cluster node on port ${port}`);
      await stopServer(server);
    };
    return { ports, kill, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
