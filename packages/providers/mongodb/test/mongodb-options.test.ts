import {
  AgentVaultError,
  ConflictError,
  ProviderUnavailableError,
  systemClock,
  ValidationError,
} from "@agentvault/core";
import {
  MongoNetworkError,
  MongoParseError,
  MongoServerError,
  MongoServerSelectionError,
} from "mongodb";
import { afterEach, describe, expect, it } from "vitest";
import { supportsTransactions } from "../src/mongodb-connection.js";
import {
  describeFailure,
  isTransientTransactionError,
  toProviderError,
} from "../src/mongodb-errors.js";
import { defaultUrl, resolveMongodbOptions } from "../src/mongodb-options.js";

describe("resolveMongodbOptions", () => {
  const saved = { url: process.env.MONGODB_URL, uri: process.env.MONGODB_URI };
  afterEach(() => {
    for (const [name, value] of [
      ["MONGODB_URL", saved.url],
      ["MONGODB_URI", saved.uri],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("fills in the documented defaults", () => {
    delete process.env.MONGODB_URL;
    delete process.env.MONGODB_URI;
    const options = resolveMongodbOptions();
    expect(options).toMatchObject({
      url: defaultUrl,
      database: "default",
      affixes: { prefix: "agentvault_", suffix: "_vault" },
      writeConcern: undefined,
      transactionReadConcern: "snapshot",
      serverSelectionTimeoutMs: 5000,
      healthTimeoutMs: 2000,
      vectorMetric: "cosine",
      vectorMetrics: {},
    });
    expect(options.clock).toBe(systemClock);
    expect(defaultUrl).toBe("mongodb://127.0.0.1:27017");
  });

  it("reads MONGODB_URL, then MONGODB_URI, when no url is given", () => {
    process.env.MONGODB_URI = "mongodb://uri-host:1";
    delete process.env.MONGODB_URL;
    expect(resolveMongodbOptions().url).toBe("mongodb://uri-host:1");
    process.env.MONGODB_URL = "mongodb+srv://url-host";
    expect(resolveMongodbOptions().url).toBe("mongodb+srv://url-host");
    expect(resolveMongodbOptions({ url: "mongodb://given" }).url).toBe("mongodb://given");
  });

  it("needs no URL with an existing client", () => {
    expect(resolveMongodbOptions({ client: {} as never }).url).toBeUndefined();
  });

  it("refuses bad options with ValidationError naming the option, never echoing the URL", () => {
    const bad: [unknown, string][] = [
      [{ url: "postgres://user:secret@host/db" }, "url"],
      [{ database: "" }, "database"],
      [{ databasePrefix: "a.b" }, "databasePrefix"],
      [{ serverSelectionTimeoutMs: 0 }, "serverSelectionTimeoutMs"],
      [{ healthTimeoutMs: Number.NaN }, "healthTimeoutMs"],
      [{ vectorMetric: "manhattan" }, "vectorMetric"],
      [{ vectorMetrics: { images: "hamming" } }, "vectorMetrics.images"],
      [{ clock: 5 }, "clock"],
    ];
    for (const [options, path] of bad) {
      let caught: unknown;
      try {
        resolveMongodbOptions(options as never);
      } catch (error) {
        caught = error;
      }
      expect(caught, path).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).path).toBe(path);
      expect((caught as Error).message).not.toContain("secret");
    }
  });
});

describe("supportsTransactions", () => {
  it("is true for replica set members and mongos with sessions, false for a standalone", () => {
    expect(
      supportsTransactions({
        isWritablePrimary: true,
        setName: "rs0",
        logicalSessionTimeoutMinutes: 30,
      }),
    ).toBe(true);
    expect(supportsTransactions({ msg: "isdbgrid", logicalSessionTimeoutMinutes: 30 })).toBe(true);
    expect(
      supportsTransactions({ isWritablePrimary: true, logicalSessionTimeoutMinutes: 30 }),
    ).toBe(false);
    expect(supportsTransactions({ setName: "rs0" })).toBe(false);
  });
});

describe("toProviderError", () => {
  it("server selection and network failures are ProviderUnavailableError, without the driver's text", () => {
    const selection = new MongoServerSelectionError("connect ECONNREFUSED secret-host:27017", {
      type: "Unknown",
      servers: new Map(),
    } as never);
    const mapped = toProviderError(selection, "read");
    expect(mapped).toBeInstanceOf(ProviderUnavailableError);
    expect(mapped.message).toBe(
      "[agentvault] [mongodb] MongoDB is unavailable or did not answer in time (read)",
    );
    expect(mapped.cause).toBe(selection);
    expect(toProviderError(new MongoNetworkError("socket hang up"), "write")).toBeInstanceOf(
      ProviderUnavailableError,
    );
    const steppedDown = new MongoServerError({ code: 189, errmsg: "stepped down" });
    expect(toProviderError(steppedDown, "write")).toBeInstanceOf(ProviderUnavailableError);
  });

  it("duplicate keys are ConflictError; inapplicable updates ValidationError with the code", () => {
    const duplicate = new MongoServerError({ code: 11000, errmsg: 'E11000 dup key: { _id: "k" }' });
    expect(toProviderError(duplicate, "write")).toBeInstanceOf(ConflictError);
    const typeMismatch = new MongoServerError({
      code: 14,
      errmsg: "Cannot apply $inc to a value of non-numeric type",
    });
    const mapped = toProviderError(typeMismatch, "update");
    expect(mapped).toBeInstanceOf(ValidationError);
    expect(mapped.message).toBe("[agentvault] [mongodb] MongoDB refused the update (code 14)");
    expect(
      toProviderError(new MongoParseError("bad url mongodb://u:secret@h"), "connect"),
    ).toBeInstanceOf(ValidationError);
  });

  it("anything else is a generic AgentVault error; AgentVault errors pass through", () => {
    const unknown = toProviderError(new MongoServerError({ code: 123456, errmsg: "odd" }), "query");
    expect(AgentVaultError.isInstance(unknown)).toBe(true);
    expect(unknown.code).toBe("PROVIDER_FAILED");
    const own = new ValidationError("mine");
    expect(toProviderError(own, "query")).toBe(own);
  });

  it("recognises transient transaction errors by their label", () => {
    const conflict = new MongoServerError({
      code: 112,
      errmsg: "WriteConflict",
      errorLabels: ["TransientTransactionError"],
    });
    expect(isTransientTransactionError(conflict)).toBe(true);
    expect(isTransientTransactionError(new MongoServerError({ code: 112, errmsg: "x" }))).toBe(
      false,
    );
    expect(isTransientTransactionError(new Error("plain"))).toBe(false);
  });

  it("describes failures for health() by class and code only", () => {
    expect(
      describeFailure(new MongoServerError({ code: 18, errmsg: "auth failed for secret" })),
    ).toBe("MongoDB check failed (MongoServerError 18)");
    expect(describeFailure(new MongoNetworkError("host secret"))).toBe(
      "MongoDB check failed (MongoNetworkError)",
    );
  });
});
