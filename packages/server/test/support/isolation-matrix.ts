/**
 * The isolation matrix: every procedure x every kind of caller, over real HTTP, checking the
 * status each must get and that no response carries data the caller may not see. It returns
 * the violations instead of asserting, so one test can require none and another can require
 * that a deliberately broken access policy produces some.
 */

import { call, createKey, createTenant, ok, type StartedServer } from "./test-server.js";

type Kind =
  | "public"
  | "root"
  | "tenantAdmin"
  | "read"
  | "write"
  | "admin"
  | "anyTenant"
  | "manifest";

interface Identity {
  readonly name: string;
  readonly key: string | undefined;
  /** The tenant whose data it reaches, if any. */
  readonly tenant: "alpha" | "beta" | undefined;
  /** Strings that must never appear in its responses. */
  readonly forbidden: readonly string[];
  /** The status it must get for each kind of procedure. */
  readonly statuses: Readonly<Record<Kind, number>>;
}

interface Case {
  readonly path: string;
  readonly kind: Kind;
  readonly input: (identity: Identity) => unknown;
}

const everything = {
  public: 200,
  root: 401,
  tenantAdmin: 401,
  read: 401,
  write: 401,
  admin: 401,
  anyTenant: 401,
  manifest: 401,
};
const unauthenticated: Record<Kind, number> = { ...everything };
const owner: Record<Kind, number> = {
  ...everything,
  root: 403,
  tenantAdmin: 403,
  read: 200,
  write: 200,
  admin: 200,
  anyTenant: 200,
  manifest: 200,
};
const reader: Record<Kind, number> = { ...owner, write: 403, admin: 403, manifest: 403 };
const readGrant: Record<Kind, number> = { ...owner, write: 403, admin: 403 };
const stranger: Record<Kind, number> = { ...owner, read: 403, write: 403, admin: 403 };
const root: Record<Kind, number> = {
  ...everything,
  root: 200,
  tenantAdmin: 403,
  read: 403,
  write: 403,
  admin: 403,
  anyTenant: 403,
  manifest: 403,
};

const target = "svc.data";
const filter = { n: { $gte: 0 } };

const cases: Case[] = [
  { path: "health", kind: "public", input: () => undefined },
  { path: "admin.createTenant", kind: "root", input: (i) => ({ tenant: `made-by-${i.name}` }) },
  { path: "admin.listTenants", kind: "root", input: () => undefined },
  { path: "admin.createKey", kind: "tenantAdmin", input: () => ({ principal: "intruder" }) },
  { path: "admin.revokeKey", kind: "tenantAdmin", input: () => ({ id: "AAAAAAAAAAAAAAAA" }) },
  { path: "admin.listKeys", kind: "tenantAdmin", input: () => undefined },
  { path: "admin.audit", kind: "tenantAdmin", input: () => undefined },
  { path: "admin.verifyAudit", kind: "tenantAdmin", input: () => undefined },
  { path: "vault.retrieve", kind: "read", input: () => ({ collection: target, key: "d1" }) },
  { path: "vault.retrieve", kind: "read", input: () => ({ collection: target }) },
  { path: "vault.query", kind: "read", input: () => ({ collection: target, filter }) },
  { path: "vault.count", kind: "read", input: () => ({ collection: target, filter }) },
  {
    path: "vault.search",
    kind: "read",
    input: () => ({ collection: target, vector: [1, 0], limit: 5 }),
  },
  {
    path: "vault.store",
    kind: "write",
    input: (i) => ({ collection: target, doc: { n: 100, writer: i.name } }),
  },
  {
    path: "vault.update",
    kind: "write",
    input: (i) => ({ collection: target, key: "d1", patch: { touchedBy: i.name } }),
  },
  {
    path: "vault.updateMany",
    kind: "write",
    input: (i) => ({ collection: target, filter: { n: 2 }, update: { $set: { manyBy: i.name } } }),
  },
  {
    path: "vault.delete",
    kind: "write",
    input: () => ({ collection: target, key: "no-such-key" }),
  },
  {
    path: "vault.deleteMany",
    kind: "write",
    input: () => ({ collection: target, filter: { n: -1 } }),
  },
  { path: "vault.clear", kind: "write", input: () => ({ collection: "svc.scratch" }) },
  {
    path: "admin.grant",
    kind: "admin",
    input: () => ({ collection: target, principal: "auditor", permission: "read" }),
  },
  {
    path: "admin.revoke",
    kind: "admin",
    input: () => ({ collection: target, principal: "auditor" }),
  },
  { path: "admin.listGrants", kind: "admin", input: () => ({ collection: target }) },
  { path: "vault.listCollections", kind: "anyTenant", input: () => undefined },
  { path: "admin.collections", kind: "anyTenant", input: () => undefined },
  { path: "admin.listGrants", kind: "anyTenant", input: () => undefined },
  // Key-value stores: `svc.data` is also a store, governed by the same registry entry.
  { path: "kv.open", kind: "read", input: () => ({ store: target, mustExist: true }) },
  { path: "kv.get", kind: "read", input: () => ({ store: target, key: "s1" }) },
  { path: "kv.has", kind: "read", input: () => ({ store: target, key: "s1" }) },
  { path: "kv.size", kind: "read", input: () => ({ store: target }) },
  { path: "kv.entries", kind: "read", input: () => ({ store: target }) },
  // Creating a store is a write (a name per caller, so each call really creates one).
  { path: "kv.open", kind: "write", input: (i) => ({ store: `svc.created-${i.name}` }) },
  {
    path: "kv.set",
    kind: "write",
    input: (i) => ({ store: target, key: `set-${i.name}`, value: { writer: i.name } }),
  },
  {
    path: "kv.setMany",
    kind: "write",
    input: (i) => ({ store: target, entries: [[`many-${i.name}`, { writer: i.name }]] }),
  },
  {
    path: "kv.update",
    kind: "write",
    input: (i) => ({ store: target, entries: { [`update-${i.name}`]: { writer: i.name } } }),
  },
  {
    path: "kv.setDefault",
    kind: "write",
    input: (i) => ({ store: target, key: `default-${i.name}`, value: { writer: i.name } }),
  },
  { path: "kv.delete", kind: "write", input: () => ({ store: target, key: "no-such-key" }) },
  { path: "kv.pop", kind: "write", input: () => ({ store: target, key: "no-such-key" }) },
  { path: "kv.popItem", kind: "write", input: () => ({ store: "svc.scratch" }) },
  { path: "kv.clear", kind: "write", input: () => ({ store: "svc.scratch" }) },
  { path: "kv.drop", kind: "admin", input: () => ({ store: "svc.dropme" }) },
  // Export and import: tenant admin keys only.
  { path: "transfer.exportStart", kind: "tenantAdmin", input: () => undefined },
  { path: "transfer.exportPage", kind: "tenantAdmin", input: () => ({ collection: target }) },
  {
    path: "transfer.importPage",
    kind: "tenantAdmin",
    input: (i) => ({ lines: [JSON.stringify({ c: target, k: "imp", v: { writer: i.name } })] }),
  },
  {
    path: "admin.applyManifest",
    kind: "manifest",
    input: () => ({
      manifest: { collections: [{ name: "notes", indexes: [{ fields: ["at"] }] }] },
    }),
  },
];

/** Read procedures whose answer holds no stored data (a count, a yes/no, a name). */
const answersWithoutData = new Set(["vault.count", "kv.open", "kv.has", "kv.size"]);

/** Every procedure path the matrix calls. */
export const matrixProcedures: ReadonlySet<string> = new Set(
  cases.map((testCase) => testCase.path),
);

async function seedTenant(server: StartedServer, tenant: "alpha" | "beta") {
  const admin = await createTenant(server, tenant);
  const svc = await createKey(server, admin, "svc");
  for (const n of [1, 2, 3]) {
    const doc = { n, secret: `${tenant}-secret-${n}` };
    await ok(
      server.url,
      "vault.store",
      { collection: "data", doc, options: { key: `d${n}`, vector: [1, n] } },
      svc.apiKey,
    );
  }
  await ok(
    server.url,
    "vault.store",
    { collection: `${tenant}-only`, doc: { secret: `${tenant}-only-doc` } },
    svc.apiKey,
  );
  await ok(server.url, "vault.store", { collection: "scratch", doc: { n: 0 } }, svc.apiKey);
  await ok(server.url, "kv.open", { store: "data" }, svc.apiKey);
  await ok(
    server.url,
    "kv.set",
    { store: "data", key: "s1", value: `${tenant}-secret-kv` },
    svc.apiKey,
  );
  await ok(server.url, "kv.open", { store: "scratch" }, svc.apiKey);
  const scratch = [
    ["a", `${tenant}-secret-a`],
    ["b", `${tenant}-secret-b`],
  ];
  await ok(server.url, "kv.setMany", { store: "scratch", entries: scratch }, svc.apiKey);
  await ok(server.url, "kv.open", { store: "dropme" }, svc.apiKey);
  return { admin, svc };
}

/** Runs the matrix; returns every violation found (empty means isolated). */
export async function runIsolationMatrix(server: StartedServer): Promise<string[]> {
  const alpha = await seedTenant(server, "alpha");
  const beta = await seedTenant(server, "beta");
  const revoked = await createKey(server, alpha.admin, "svc");
  await ok(server.url, "admin.revokeKey", { id: revoked.id }, alpha.admin);
  const readOnly = await createKey(server, alpha.admin, "svc", "reader");
  const partner = await createKey(server, alpha.admin, "partner");
  const outsider = await createKey(server, alpha.admin, "stranger");
  await ok(
    server.url,
    "admin.grant",
    { collection: target, principal: "partner", permission: "read" },
    alpha.svc.apiKey,
  );

  const noData = ["alpha-", "beta-", "partner"];
  const identities: Identity[] = [
    { name: "own", key: alpha.svc.apiKey, tenant: "alpha", forbidden: ["beta-"], statuses: owner },
    {
      name: "other-tenant",
      key: beta.svc.apiKey,
      tenant: "beta",
      forbidden: ["alpha-", "partner"],
      statuses: owner,
    },
    {
      name: "no-key",
      key: undefined,
      tenant: undefined,
      forbidden: noData,
      statuses: unauthenticated,
    },
    {
      name: "revoked",
      key: revoked.apiKey,
      tenant: undefined,
      forbidden: noData,
      statuses: unauthenticated,
    },
    {
      name: "read-only",
      key: readOnly.apiKey,
      tenant: "alpha",
      forbidden: ["beta-"],
      statuses: reader,
    },
    {
      name: "granted",
      key: partner.apiKey,
      tenant: "alpha",
      forbidden: ["beta-", "alpha-only"],
      statuses: readGrant,
    },
    {
      name: "ungranted",
      key: outsider.apiKey,
      tenant: "alpha",
      forbidden: ["beta-", "alpha-secret", "alpha-only"],
      statuses: stranger,
    },
    {
      name: "root",
      key: server.rootKey,
      tenant: undefined,
      forbidden: ["alpha-", "beta-", "partner"],
      statuses: root,
    },
  ];

  const violations: string[] = [];
  for (const testCase of cases) {
    for (const identity of identities) {
      const result = await call(server.url, testCase.path, testCase.input(identity), identity.key);
      const expected = identity.statuses[testCase.kind];
      const cell = `${testCase.path} (${testCase.kind}) x ${identity.name}`;
      if (result.status !== expected) {
        violations.push(
          `${cell}: expected ${expected}, got ${result.status} ${result.error?.message ?? ""}`,
        );
      }
      const body = JSON.stringify(result);
      for (const marker of identity.forbidden) {
        if (body.includes(marker)) violations.push(`${cell}: response contains "${marker}"`);
      }
      if (result.status === 200 && testCase.kind === "read" && identity.tenant !== undefined) {
        const own = `${identity.tenant}-secret`;
        if (!answersWithoutData.has(testCase.path) && !body.includes(own)) {
          violations.push(`${cell}: did not see its own tenant's data`);
        }
      }
    }
  }

  // Writes landed only where their writer may write.
  const alphaDocs = await ok<{ writer?: string; touchedBy?: string; manyBy?: string }[]>(
    server.url,
    "vault.query",
    { collection: target },
    alpha.svc.apiKey,
  );
  const betaDocs = await ok<{ writer?: string; touchedBy?: string; manyBy?: string }[]>(
    server.url,
    "vault.query",
    { collection: target },
    beta.svc.apiKey,
  );
  const writers = (docs: typeof alphaDocs) =>
    new Set(
      docs
        .flatMap((doc) => [doc.writer, doc.touchedBy, doc.manyBy])
        .filter((name) => name !== undefined),
    );
  for (const name of writers(alphaDocs))
    if (name !== "own") violations.push(`alpha data written by ${name}`);
  for (const name of writers(betaDocs))
    if (name !== "other-tenant") violations.push(`beta data written by ${name}`);
  if (!writers(alphaDocs).has("own")) violations.push("the owner's writes did not land");

  // Key-value writes likewise.
  const kvWriters = async (apiKey: string) => {
    const page = await ok<{ entries: [string, { writer?: string } | string][] }>(
      server.url,
      "kv.entries",
      { store: target },
      apiKey,
    );
    return new Set(
      page.entries
        .map(([, value]) => (typeof value === "object" ? value.writer : undefined))
        .filter((name) => name !== undefined),
    );
  };
  const alphaKv = await kvWriters(alpha.svc.apiKey);
  const betaKv = await kvWriters(beta.svc.apiKey);
  for (const name of alphaKv) if (name !== "own") violations.push(`alpha kv written by ${name}`);
  for (const name of betaKv)
    if (name !== "other-tenant") violations.push(`beta kv written by ${name}`);
  if (alphaKv.size === 0) violations.push("the owner's kv writes did not land");
  return violations;
}
