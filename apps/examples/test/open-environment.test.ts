import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dataHandlerExample, eventSourcingExample, openEnvironment } from "../src/index.js";
import { remoteEnvironment } from "./support/environments.js";

describe("openEnvironment (what main.ts runs in)", () => {
  it("is embedded with no AGENTVAULT_URL: a vault and three real providers on disk", async () => {
    const folder = await mkdtemp(join(tmpdir(), "av-examples-main-"));
    const opened = await openEnvironment({}, folder);
    try {
      expect(opened.description).toContain(folder);
      const report = await dataHandlerExample(opened.environment);
      expect(report.crawlerReport.map((item) => item.key)).toEqual(["spore-1", "spore-3"]);
      expect(opened.environment.admin).toBeUndefined();
    } finally {
      await opened.close();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("uses the server at AGENTVAULT_URL with AGENTVAULT_API_KEY, manifests included", async () => {
    const hosted = await remoteEnvironment();
    const server = hosted.server as { url: string; apiKey: string };
    const opened = await openEnvironment({
      AGENTVAULT_URL: server.url,
      AGENTVAULT_API_KEY: server.apiKey,
    });
    try {
      expect(opened.description).toBe(`the server at ${new URL(server.url).host}`);
      const report = await eventSourcingExample(opened.environment);
      expect(report.balances).toEqual({ "acc-1": 75, "acc-2": 200 });
      // The manifest went through the broker: the collection is registered to the service.
      const admin = opened.environment.admin as unknown as {
        collections(): Promise<{ name: string; owner: string }[]>;
      };
      const registered = await admin.collections();
      expect(registered.map((entry) => [entry.name, entry.owner])).toContainEqual([
        "agents.events",
        "agents",
      ]);
    } finally {
      await opened.close();
      await hosted.close();
    }
  });
});
