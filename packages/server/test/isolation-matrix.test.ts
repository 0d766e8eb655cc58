import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqliteProvider } from "@agentvault/provider-sqlite";
import { describe, expect, it } from "vitest";
import { type AccessPolicy, appRouter, defaultAccessPolicy } from "../src/index.js";
import { matrixProcedures, runIsolationMatrix } from "./support/isolation-matrix.js";
import { startServer } from "./support/test-server.js";

describe("isolation matrix over HTTP", () => {
  it("covers every procedure of the router", () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    expect(procedures.length).toBeGreaterThan(20);
    expect([...matrixProcedures].sort()).toEqual(procedures);
  });

  it("every procedure x caller gets exactly its status and sees only its data", async () => {
    const server = await startServer({ limits: { rate: { points: 100_000 } } });
    try {
      expect(await runIsolationMatrix(server)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("holds on SQLite, where each tenant is its own database file", async () => {
    const directory = await mkdtemp(join(tmpdir(), "agentvault-matrix-"));
    const server = await startServer({
      provider: sqliteProvider({ directory }),
      closeProvider: true,
      limits: { rate: { points: 100_000 } },
    });
    try {
      expect(await runIsolationMatrix(server)).toEqual([]);
    } finally {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("fails when one permission rule is broken on purpose (read grants allow writes)", async () => {
    const broken: AccessPolicy = (question) =>
      (question.needed === "write" && question.granted === "read") || defaultAccessPolicy(question);
    const server = await startServer({
      accessPolicy: broken,
      limits: { rate: { points: 100_000 } },
    });
    try {
      const violations = await runIsolationMatrix(server);
      expect(violations.length).toBeGreaterThan(0);
      expect(violations.some((violation) => violation.includes("x granted"))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it("fails when reader keys are no longer capped", async () => {
    const broken: AccessPolicy = (question) =>
      defaultAccessPolicy({
        ...question,
        caller: {
          ...question.caller,
          role: question.caller.role === "reader" ? "service" : question.caller.role,
        },
      });
    const server = await startServer({
      accessPolicy: broken,
      limits: { rate: { points: 100_000 } },
    });
    try {
      const violations = await runIsolationMatrix(server);
      expect(violations.some((violation) => violation.includes("x read-only"))).toBe(true);
    } finally {
      await server.close();
    }
  });
});
