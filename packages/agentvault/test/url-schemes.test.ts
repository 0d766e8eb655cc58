import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ValidationError } from "@agentvault/core";
import { describe, expect, it } from "vitest";
import { parseVaultUrl } from "../src/url-schemes.js";

const cwd = "/work/project";

function pick(url: string | undefined) {
  const target = parseVaultUrl(url, cwd);
  return {
    packageName: target.packageName,
    exportName: target.exportName,
    options: target.options,
  };
}

describe("parseVaultUrl", () => {
  it("defaults to SQLite in ./.agentvault/vault.db", () => {
    expect(pick(undefined)).toEqual({
      packageName: "@agentvault/provider-sqlite",
      exportName: "sqliteProvider",
      options: { path: join(cwd, ".agentvault", "vault.db") },
    });
  });

  it("reads relative, absolute and URL-style SQLite paths", () => {
    expect(pick("sqlite:data/agents.db").options).toEqual({ path: join(cwd, "data/agents.db") });
    expect(pick("sqlite:./x.db").options).toEqual({ path: join(cwd, "x.db") });
    expect(pick("sqlite:/var/lib/x.db").options).toEqual({ path: "/var/lib/x.db" });
    expect(pick("sqlite:///var/lib/my%20vault.db").options).toEqual({
      path: "/var/lib/my vault.db",
    });
    expect(pick("SQLITE::memory:").options).toEqual({ path: ":memory:" });
  });

  it("rejects SQLite URLs with a host or no path", () => {
    expect(() => pick("sqlite://relative.db")).toThrow(/no host/);
    expect(() => pick("sqlite:")).toThrow(/needs a path/);
  });

  it("maps file: URLs to the filesystem provider's base path", () => {
    expect(pick("file:./data")).toEqual({
      packageName: "@agentvault/provider-filesystem",
      exportName: "filesystemProvider",
      options: { basePath: join(cwd, "data") },
    });
    const absolute = "/srv/agent data";
    expect(pick(pathToFileURL(absolute).href).options).toEqual({ basePath: absolute });
  });

  it("maps memory: to the core's memory provider", () => {
    expect(pick("memory:")).toEqual({
      packageName: "@agentvault/core",
      exportName: "memoryProvider",
      options: {},
    });
    expect(() => pick("memory:something")).toThrow(ValidationError);
  });

  it("passes database URLs to their provider unchanged", () => {
    for (const url of ["postgres://u:p@h:5432/db", "postgresql://h/db?sslmode=require"]) {
      expect(pick(url), url).toEqual({
        packageName: "@agentvault/provider-postgres",
        exportName: "postgresProvider",
        options: { connectionString: url },
      });
    }
    const cases: [string, string, string][] = [
      ["redis://127.0.0.1:6379/2", "@agentvault/provider-redis", "redisProvider"],
      ["rediss://:secret@cache:6380", "@agentvault/provider-redis", "redisProvider"],
      ["mongodb://h:27017", "@agentvault/provider-mongodb", "mongodbProvider"],
      ["mongodb+srv://u:p@cluster.example.net", "@agentvault/provider-mongodb", "mongodbProvider"],
    ];
    for (const [url, packageName, exportName] of cases) {
      expect(pick(url), url).toEqual({ packageName, exportName, options: { url } });
    }
  });

  it("reads the bucket, prefix, region, endpoint and path style of s3 URLs", () => {
    expect(
      pick(
        "s3://agent-data/tenants/a/?region=eu-west-1&endpoint=http://127.0.0.1:4568&forcePathStyle=true",
      ),
    ).toEqual({
      packageName: "@agentvault/provider-s3",
      exportName: "s3Provider",
      options: {
        bucket: "agent-data",
        prefix: "tenants/a",
        region: "eu-west-1",
        endpoint: "http://127.0.0.1:4568",
        forcePathStyle: true,
      },
    });
    expect(pick("s3://bucket").options).toEqual({ bucket: "bucket" });
    expect(() => pick("s3://bucket?acl=public")).toThrow(/Unknown s3 URL parameter "acl"/);
    expect(() => pick("s3://bucket?forcePathStyle=yes")).toThrow(/forcePathStyle=true\|false/);
  });

  it("turns qdrant URLs into the server's HTTP address", () => {
    expect(pick("qdrant://localhost:6333").options).toEqual({ url: "http://localhost:6333" });
    expect(pick("qdrants://q.example.com?collection=memories").options).toEqual({
      url: "https://q.example.com",
      collection: "memories",
    });
  });

  it("sends http(s) URLs to the hosted server's client, which returns a Vault", () => {
    const target = parseVaultUrl("https://vault.example.com", cwd);
    expect(target.packageName).toBe("@agentvault/client");
    expect(target.returns).toBe("vault");
    expect(target.options).toEqual({ url: "https://vault.example.com" });
  });

  it("rejects unknown schemes and bare paths without echoing the URL", () => {
    for (const url of [
      "cassandra://user:pw-secret@h",
      "./vault.db",
      "C:\\data\\pw-secret.db",
      "",
    ]) {
      let caught: unknown;
      try {
        parseVaultUrl(url, cwd);
      } catch (error) {
        caught = error;
      }
      expect(ValidationError.isInstance(caught), url).toBe(true);
      expect((caught as Error).message).toContain("sqlite:");
      expect((caught as Error).message).not.toContain("pw-secret");
    }
  });

  it("rejects malformed URLs of a known scheme without echoing them", () => {
    expect(() => pick("postgres://u:pw-secret@[bad")).toThrow(/Not a valid postgres:\/\/ URL/);
    expect(() => pick("postgres://u:pw-secret@[bad")).not.toThrow(/pw-secret/);
  });
});
