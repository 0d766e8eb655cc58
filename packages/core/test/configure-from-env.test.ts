import { afterEach, describe, expect, it } from "vitest";
import {
  configureFromEnv,
  getProviderFactory,
  type ProviderConfig,
  ProviderPackageMissingError,
  type ProviderRegistry,
  readProviderEnv,
  redactProviderConfig,
  registerProviderFactory,
  type StorageProvider,
  unregisterProviderFactory,
  ValidationError,
} from "../src/index.js";

/** A stand-in provider: configureFromEnv only registers and, on failure, closes providers. */
function stubProvider(name: string, closed: string[] = []): StorageProvider {
  return {
    name,
    close: async () => {
      closed.push(name);
    },
  } as unknown as StorageProvider;
}

function registry(initial: string[] = []) {
  const entries = new Map<string, StorageProvider>(
    initial.map((name) => [name, stubProvider(name)]),
  );
  const target: ProviderRegistry = {
    registerProvider: (name, provider) => void entries.set(name, provider),
    providers: () => [...entries.keys()],
  };
  return { entries, target };
}

describe("readProviderEnv", () => {
  it("reads nothing from an empty environment", () => {
    expect(readProviderEnv({})).toEqual([]);
  });

  it("composes a PostgreSQL URL from the parts, escaping credentials", () => {
    const [config] = readProviderEnv({
      POSTGRES_HOST: "db.internal",
      POSTGRES_PORT: "6543",
      POSTGRES_DB: "agents",
      POSTGRES_USER: "app",
      POSTGRES_PASSWORD: "p@ss/word:1",
    });
    expect(config).toMatchObject({
      kind: "postgres",
      host: "db.internal",
      port: 6543,
      database: "agents",
      user: "app",
      password: "p@ss/word:1",
    });
    const url = new URL((config as { url: string }).url);
    expect(url.hostname).toBe("db.internal");
    expect(url.port).toBe("6543");
    expect(decodeURIComponent(url.password)).toBe("p@ss/word:1");
    expect(url.pathname).toBe("/agents");
  });

  it("prefers POSTGRES_URL and REDIS_URL over the parts", () => {
    const configs = readProviderEnv({
      POSTGRES_URL: "postgres://u@h:5432/d",
      POSTGRES_HOST: "ignored",
      REDIS_URL: "rediss://cache:6380/2",
      REDIS_HOST: "ignored",
    });
    expect(configs).toEqual([
      { kind: "postgres", url: "postgres://u@h:5432/d" },
      { kind: "redis", url: "rediss://cache:6380/2" },
    ]);
  });

  it("composes a Redis URL with password and database", () => {
    const [config] = readProviderEnv({
      REDIS_HOST: "127.0.0.1",
      REDIS_PORT: "6379",
      REDIS_PASSWORD: "s3cret#",
      REDIS_DB: "3",
    });
    expect(config).toMatchObject({ kind: "redis", port: 6379, db: 3, password: "s3cret#" });
    const url = new URL((config as { url: string }).url);
    expect(url.protocol).toBe("redis:");
    expect(decodeURIComponent(url.password)).toBe("s3cret#");
    expect(url.pathname).toBe("/3");
  });

  it("reads S3 only when a bucket is named", () => {
    expect(readProviderEnv({ AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "x" })).toEqual([]);
    expect(
      readProviderEnv({
        AWS_S3_BUCKET: "agent-data",
        AWS_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: "AKIA",
        AWS_SECRET_ACCESS_KEY: "secret",
        S3_ENDPOINT: "http://127.0.0.1:4568",
      }),
    ).toEqual([
      {
        kind: "s3",
        bucket: "agent-data",
        region: "eu-west-1",
        accessKeyId: "AKIA",
        secretAccessKey: "secret",
        endpoint: "http://127.0.0.1:4568",
      },
    ]);
  });

  it("reads Qdrant, MongoDB, filesystem and SQLite, in a fixed order", () => {
    const kinds = readProviderEnv({
      AGENTVAULT_SQLITE_PATH: "/data/vault.db",
      AGENTVAULT_FS_PATH: "/data/files",
      MONGODB_URL: "mongodb+srv://cluster.example.net",
      QDRANT_URL: "http://localhost:6333",
      QDRANT_COLLECTION: "memories",
    });
    expect(kinds).toEqual([
      { kind: "qdrant", url: "http://localhost:6333", collection: "memories", apiKey: undefined },
      { kind: "mongodb", url: "mongodb+srv://cluster.example.net" },
      { kind: "filesystem", basePath: "/data/files" },
      { kind: "sqlite", path: "/data/vault.db" },
    ]);
  });

  it("treats empty variables as unset", () => {
    expect(readProviderEnv({ REDIS_URL: "", POSTGRES_HOST: "  ", MONGODB_URL: "" })).toEqual([]);
  });

  it("rejects malformed values naming the variable but never echoing a secret", () => {
    const secret = "hunter2-very-secret";
    const attempts: [Record<string, string>, string][] = [
      [{ POSTGRES_URL: `not a url ${secret}` }, "POSTGRES_URL"],
      [{ REDIS_URL: `http://user:${secret}@host` }, "REDIS_URL"],
      [{ MONGODB_URL: `postgres://x:${secret}@y` }, "MONGODB_URL"],
      [{ REDIS_HOST: "h", REDIS_PORT: "70000", REDIS_PASSWORD: secret }, "REDIS_PORT"],
      [{ POSTGRES_HOST: "h", POSTGRES_PORT: "54x", POSTGRES_PASSWORD: secret }, "POSTGRES_PORT"],
    ];
    for (const [env, variable] of attempts) {
      let caught: unknown;
      try {
        readProviderEnv(env);
      } catch (error) {
        caught = error;
      }
      expect(ValidationError.isInstance(caught), variable).toBe(true);
      expect((caught as ValidationError).path).toBe(variable);
      expect((caught as Error).message).not.toContain(secret);
    }
  });

  it("redacts secrets for logging", () => {
    const configs = readProviderEnv({
      POSTGRES_URL: "postgres://app:topsecret@db:5432/x",
      AWS_S3_BUCKET: "b",
      AWS_SECRET_ACCESS_KEY: "awssecret",
      QDRANT_URL: "https://q.example.com",
      QDRANT_API_KEY: "qdrantkey",
    });
    const printed = JSON.stringify(configs.map(redactProviderConfig));
    for (const secret of ["topsecret", "awssecret", "qdrantkey"]) {
      expect(printed).not.toContain(secret);
    }
    expect(printed).toContain("db:5432");
  });
});

describe("configureFromEnv", () => {
  afterEach(() => {
    unregisterProviderFactory("redis");
    unregisterProviderFactory("sqlite");
  });

  it("registers providers under conventional names with the registered factories", async () => {
    const seen: ProviderConfig[] = [];
    registerProviderFactory("redis", (config) => {
      seen.push(config);
      return stubProvider("redis");
    });
    registerProviderFactory("sqlite", async (config) => {
      seen.push(config);
      return stubProvider("sqlite");
    });
    const { entries, target } = registry();
    const names = await configureFromEnv(target, {
      env: { REDIS_URL: "redis://127.0.0.1:6379", AGENTVAULT_SQLITE_PATH: "/tmp/x.db" },
    });
    expect(names).toEqual(["redis", "sqlite"]);
    expect([...entries.keys()]).toEqual(["redis", "sqlite"]);
    expect(seen).toEqual([
      { kind: "redis", url: "redis://127.0.0.1:6379" },
      { kind: "sqlite", path: "/tmp/x.db" },
    ]);
  });

  it("fails listing the packages to install when factories are missing", async () => {
    const { entries, target } = registry();
    const attempt = configureFromEnv(target, {
      env: { REDIS_URL: "redis://h", MONGODB_URL: "mongodb://h", AGENTVAULT_FS_PATH: "/x" },
      factories: { filesystem: () => stubProvider("filesystem") },
    });
    await expect(attempt).rejects.toSatisfy((error: unknown) => {
      if (!ProviderPackageMissingError.isInstance(error)) return false;
      return (
        error.packages.join() === "@agentvault/provider-redis,@agentvault/provider-mongodb" &&
        error.message.includes("@agentvault/provider-redis") &&
        error.message.includes("skipMissing")
      );
    });
    expect(entries.size).toBe(0);
  });

  it("skips backends without a factory when asked", async () => {
    const { target } = registry();
    const names = await configureFromEnv(target, {
      env: { REDIS_URL: "redis://h", AGENTVAULT_FS_PATH: "/x" },
      factories: { filesystem: () => stubProvider("filesystem") },
      skipMissing: true,
    });
    expect(names).toEqual(["filesystem"]);
    expect(getProviderFactory("filesystem")).toBeUndefined();
  });

  it("leaves names that are already registered alone", async () => {
    const { entries, target } = registry(["redis"]);
    const before = entries.get("redis");
    const names = await configureFromEnv(target, {
      env: { REDIS_URL: "redis://h" },
      factories: { redis: () => stubProvider("other") },
    });
    expect(names).toEqual([]);
    expect(entries.get("redis")).toBe(before);
  });

  it("registers nothing and closes what it built when a factory fails", async () => {
    const closed: string[] = [];
    const { entries, target } = registry();
    const attempt = configureFromEnv(target, {
      env: { POSTGRES_URL: "postgres://h/d", REDIS_URL: "redis://h" },
      factories: {
        postgres: () => stubProvider("postgres", closed),
        redis: () => {
          throw new Error("connection refused");
        },
      },
    });
    await expect(attempt).rejects.toThrow("connection refused");
    expect(entries.size).toBe(0);
    expect(closed).toEqual(["postgres"]);
  });

  it("rejects unknown kinds when registering a factory", () => {
    expect(() => registerProviderFactory("cassandra" as "redis", () => stubProvider("x"))).toThrow(
      /Unknown provider kind "cassandra"/,
    );
  });
});
