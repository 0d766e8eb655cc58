/**
 * The admin CLI, working directly on the configured backends (the same environment as the
 * service), so it needs no running server and no root key:
 *
 * ```
 * pnpm --filter @agentvault/server-app cli tenants list
 * pnpm --filter @agentvault/server-app cli tenants create <tenant>
 * pnpm --filter @agentvault/server-app cli keys list <tenant>
 * pnpm --filter @agentvault/server-app cli keys create <tenant> <principal> [--role service|agent|reader|admin]
 * pnpm --filter @agentvault/server-app cli keys revoke <tenant> <key id>
 * pnpm --filter @agentvault/server-app cli export <tenant> [--out file.jsonl] [--ciphertext]
 * pnpm --filter @agentvault/server-app cli import <tenant> <file.jsonl> [--ciphertext]
 * pnpm --filter @agentvault/server-app cli migrate --to <storage url> [--from <storage url>] [--tenant <tenant>]...
 * pnpm --filter @agentvault/server-app cli re-encrypt [--tenant <tenant>]... [--encrypt-plaintext]
 * ```
 *
 * New keys are printed once, on stdout; everything else goes to stderr. `keys revoke` also
 * announces the revocation on Redis when `REDIS_URL` is set, so running instances drop the key
 * from their verification cache at once (otherwise they refuse it within their `keyCacheMs`).
 */

import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import {
  createVault,
  exportRecords,
  importRecords,
  migrate,
  reencrypt,
  type StorageProvider,
} from "@agentvault/core";
import {
  type KeyRole,
  keyRoles,
  publishKeyRevocation,
  SystemStore,
  tenantDatabaseName,
  validatePrincipalName,
  validateTenantId,
} from "@agentvault/server";
import { readServiceConfig, type ServiceConfig } from "./config.js";
import {
  configuredStorageUrl,
  openBackendProvider,
  openStorageProvider,
  openStorageUrl,
} from "./storage.js";

const usage = `Usage: cli <command>
  tenants list
  tenants create <tenant>
  keys list <tenant>
  keys create <tenant> <principal> [--role service|agent|reader|admin]
  keys revoke <tenant> <key id>
  export <tenant> [--out file.jsonl] [--ciphertext]
  import <tenant> <file.jsonl> [--ciphertext]
      --ciphertext (with AGENTVAULT_ENCRYPTION_KEYS): export the records as stored, still
      encrypted, instead of decrypted; such a file imports into the same tenant name only
  migrate --to <storage url> [--from <storage url>] [--tenant <tenant>]... [--skip-verify]
      copies the system database and every tenant's (or only the named tenants') between
      backends, keeping keys, values, metadata, expiry and dates; --from defaults to the
      configured storage
  re-encrypt [--tenant <tenant>]... [--encrypt-plaintext]
      rewrites every record not sealed with the first key of AGENTVAULT_ENCRYPTION_KEYS, so
      the other keys can be removed; --encrypt-plaintext also encrypts plaintext records`;

class UsageError extends Error {}

function argument(values: readonly string[], index: number, name: string): string {
  const value = values[index];
  if (value === undefined) throw new UsageError(`Missing <${name}>`);
  return value;
}

/** The providers a command opened, closed when it ends. */
class Providers {
  readonly #config: ServiceConfig;
  readonly #open: StorageProvider[] = [];
  #service: StorageProvider | undefined;

  constructor(config: ServiceConfig) {
    this.#config = config;
  }

  /** The configured storage as the service sees it (decrypting when keys are configured). */
  async service(): Promise<StorageProvider> {
    this.#service ??= this.#keep(await openStorageProvider(this.#config));
    return this.#service;
  }

  /** The configured storage as stored: ciphertext stays ciphertext. */
  async backend(): Promise<StorageProvider> {
    return this.#keep(await openBackendProvider(this.#config));
  }

  async url(url: string, what: string): Promise<StorageProvider> {
    return this.#keep(await openStorageUrl(url, what));
  }

  #keep(provider: StorageProvider): StorageProvider {
    this.#open.push(provider);
    return provider;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#open.map((provider) => provider.close()));
  }
}

/**
 * The databases a command covers: the named tenants' (checked against the system database), or
 * the system database and every tenant's.
 */
async function serverDatabases(
  provider: StorageProvider,
  config: ServiceConfig,
  tenants: readonly string[] | undefined,
): Promise<{ system: string; databases: string[]; tenants: string[] }> {
  const system = `${config.databasePrefix}system`;
  // Only record keys are read here, which stay plaintext under encryption.
  const known = await new SystemStore(
    provider.withDatabase(system),
    undefined,
    Date.now,
  ).listTenants();
  if (tenants === undefined || tenants.length === 0) {
    const databases = [
      system,
      ...known.map((tenant) => tenantDatabaseName(config.databasePrefix, tenant)),
    ];
    return { system, databases, tenants: known };
  }
  const chosen = tenants.map((tenant) => validateTenantId(tenant));
  const missing = chosen.filter((tenant) => !known.includes(tenant));
  if (missing.length > 0) {
    throw new Error(`No such tenant in the source's system database: ${missing.join(", ")}`);
  }
  const databases = chosen.map((tenant) => tenantDatabaseName(config.databasePrefix, tenant));
  return { system, databases, tenants: chosen };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

async function migrateCommand(
  providers: Providers,
  config: ServiceConfig,
  options: {
    from?: string | undefined;
    to?: string | undefined;
    tenant?: string[] | undefined;
    verify: boolean;
  },
): Promise<void> {
  if (options.to === undefined) throw new UsageError("migrate needs --to <storage url>");
  const fromUrl = options.from ?? configuredStorageUrl(config);
  if (fromUrl.trim() === options.to.trim()) {
    throw new UsageError("--from and --to name the same storage");
  }
  // Records are copied as stored: encrypted ones stay encrypted under the same keys.
  const from =
    options.from === undefined
      ? await providers.backend()
      : await providers.url(options.from, "--from");
  const to = await providers.url(options.to, "--to");
  const { system, databases, tenants } = await serverDatabases(from, config, options.tenant);
  const report = await migrate({ from, to, databases, verify: options.verify });
  if (options.tenant !== undefined && options.tenant.length > 0) {
    // The named tenants' registrations, so the target's server knows them; their API keys stay.
    const source = from.withDatabase(system);
    const target = to.withDatabase(system);
    for (const tenant of tenants) {
      const record = await source.get("_av_tenants", tenant);
      if (record !== null) await target.put("_av_tenants", record);
    }
  }
  for (const entry of report.databases) {
    const counts = Object.values(entry.collections);
    const records = counts.reduce((sum, count) => sum + count, 0);
    process.stderr.write(
      `${entry.database}: ${plural(records, "record")} in ${plural(counts.length, "collection")}\n`,
    );
  }
  process.stderr.write(
    `Migrated ${plural(report.records, "record")} of ${plural(tenants.length, "tenant")} (${plural(report.databases.length, "database")})${options.verify ? ", each page read back from the target and compared" : ""}.\n`,
  );
  if (options.tenant !== undefined && options.tenant.length > 0) {
    process.stderr.write(
      "API keys live in the system database and were not copied; create new ones on the target with `keys create`.\n",
    );
  }
}

async function reencryptCommand(
  providers: Providers,
  config: ServiceConfig,
  options: { tenant?: string[] | undefined; encryptPlaintext: boolean },
): Promise<void> {
  const keys = config.encryptionKeys;
  if (keys === undefined) {
    throw new Error(
      "re-encrypt needs AGENTVAULT_ENCRYPTION_KEYS: the new key first, then the keys to retire",
    );
  }
  const backend = await providers.backend();
  const { databases } = await serverDatabases(backend, config, options.tenant);
  let rewritten = 0;
  let encryptedNow = 0;
  let records = 0;
  for (const database of databases) {
    const report = await reencrypt(backend.withDatabase(database), {
      keys,
      encryptPlaintext: options.encryptPlaintext,
    });
    records += report.records;
    rewritten += report.rewritten;
    encryptedNow += report.encrypted;
    process.stderr.write(
      `${database}: ${plural(report.records, "record")}, ${report.rewritten} re-encrypted${options.encryptPlaintext ? `, ${report.encrypted} encrypted from plaintext` : ""}\n`,
    );
  }
  const current = keys[0]?.id ?? "";
  process.stderr.write(
    `Re-encrypted ${plural(rewritten, "record")}${options.encryptPlaintext ? ` and encrypted ${encryptedNow} plaintext ones` : ""} of ${plural(records, "record")} in ${plural(databases.length, "database")}; every record is now sealed with key "${current}".\n`,
  );
  if (keys.length > 1 && (options.tenant === undefined || options.tenant.length === 0)) {
    process.stderr.write(
      `The other keys (${keys
        .slice(1)
        .map((key) => `"${key.id}"`)
        .join(", ")}) can now be removed from AGENTVAULT_ENCRYPTION_KEYS.\n`,
    );
  }
}

async function writeLines(lines: AsyncIterable<string>, file: string | undefined): Promise<void> {
  const out = file === undefined ? process.stdout : createWriteStream(file);
  for await (const line of lines) {
    if (!out.write(`${line}\n`)) await once(out, "drain");
  }
  if (out !== process.stdout) await new Promise<void>((resolve) => out.end(() => resolve()));
}

function readLines(file: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(file), crlfDelay: Infinity });
}

function requireKeys(config: ServiceConfig): readonly { readonly id: string }[] {
  if (config.encryptionKeys === undefined) {
    throw new UsageError(
      "--ciphertext needs AGENTVAULT_ENCRYPTION_KEYS: the store is not encrypted",
    );
  }
  return config.encryptionKeys;
}

/** `export --ciphertext`: the tenant's records as stored, sealed values and all. */
async function exportCiphertext(
  providers: Providers,
  config: ServiceConfig,
  tenant: string,
  file: string | undefined,
): Promise<void> {
  requireKeys(config);
  const database = tenantDatabaseName(config.databasePrefix, validateTenantId(tenant));
  const backend = (await providers.backend()).withDatabase(database);
  await writeLines(exportRecords(backend, { now: Date.now }), file);
}

/**
 * `import --ciphertext`: restores a ciphertext export into the tenant it came from, after
 * checking that it is that tenant's and that every record's key is in the ring.
 */
async function importCiphertext(
  providers: Providers,
  config: ServiceConfig,
  tenant: string,
  file: string,
): Promise<number> {
  const ring = new Set(requireKeys(config).map((key) => key.id));
  const database = tenantDatabaseName(config.databasePrefix, validateTenantId(tenant));
  const lines: string[] = [];
  for await (const line of readLines(file)) lines.push(line);
  let header: { database?: unknown } = {};
  try {
    header = JSON.parse(lines[0] ?? "{}") as { database?: unknown };
  } catch {
    // importRecords names what is wrong with the file.
  }
  if (typeof header.database === "string" && header.database !== database) {
    throw new Error(
      `This ciphertext export is of database "${header.database}"; it imports into that one only (each record is encrypted for its database), not "${database}"`,
    );
  }
  const unknownKeys = new Set<string>();
  for (const line of lines.slice(1)) {
    let kid: unknown;
    try {
      kid = (JSON.parse(line) as { v?: { kid?: unknown } }).v?.kid;
    } catch {
      continue; // importRecords rejects the malformed line, naming it.
    }
    if (typeof kid === "string" && !ring.has(kid)) unknownKeys.add(kid);
  }
  if (unknownKeys.size > 0) {
    throw new Error(
      `The export holds records sealed with key ${[...unknownKeys].map((id) => `"${id}"`).join(", ")}, which AGENTVAULT_ENCRYPTION_KEYS lacks; nothing was imported`,
    );
  }
  const backend = (await providers.backend()).withDatabase(database);
  return importRecords(backend, lines, { now: Date.now });
}

async function run(providers: Providers, argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      role: { type: "string" },
      out: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      tenant: { type: "string", multiple: true },
      "skip-verify": { type: "boolean" },
      "encrypt-plaintext": { type: "boolean" },
      ciphertext: { type: "boolean" },
    },
  });
  const config = readServiceConfig();
  const [group, action] = positionals;
  const single = ["export", "import", "migrate", "re-encrypt"];
  const command = single.includes(group ?? "") ? group : `${group} ${action ?? ""}`.trim();
  if (command === "migrate") {
    return migrateCommand(providers, config, {
      from: values.from,
      to: values.to,
      tenant: values.tenant,
      verify: values["skip-verify"] !== true,
    });
  }
  if (command === "re-encrypt") {
    return reencryptCommand(providers, config, {
      tenant: values.tenant,
      encryptPlaintext: values["encrypt-plaintext"] === true,
    });
  }
  if (command === "export" && values.ciphertext === true) {
    return exportCiphertext(providers, config, argument(positionals, 1, "tenant"), values.out);
  }
  if (command === "import" && values.ciphertext === true) {
    const tenant = argument(positionals, 1, "tenant");
    const count = await importCiphertext(
      providers,
      config,
      tenant,
      argument(positionals, 2, "file"),
    );
    process.stderr.write(`Imported ${count} records.\n`);
    return;
  }
  const provider = await providers.service();
  const system = new SystemStore(
    provider.withDatabase(`${config.databasePrefix}system`),
    undefined,
    Date.now,
  );
  const tenantVault = (tenant: string) =>
    createVault({
      provider: provider.withDatabase(
        tenantDatabaseName(config.databasePrefix, validateTenantId(tenant)),
      ),
    });
  switch (command) {
    case "tenants list":
      for (const tenant of await system.listTenants()) process.stdout.write(`${tenant}\n`);
      return;
    case "tenants create": {
      const tenant = validateTenantId(argument(positionals, 2, "tenant"));
      await system.createTenant(tenant);
      const key = await system.createKey(tenant, "admin", "admin");
      process.stderr.write(`Created tenant ${tenant}. Its admin key (shown once):\n`);
      process.stdout.write(`${key.apiKey}\n`);
      return;
    }
    case "keys list":
      for (const key of await system.listKeys(
        validateTenantId(argument(positionals, 2, "tenant")),
      )) {
        process.stdout.write(
          `${key.id}\t${key.principal}\t${key.role}\t${key.createdAt}\t${key.revokedAt ?? "active"}\n`,
        );
      }
      return;
    case "keys create": {
      const tenant = validateTenantId(argument(positionals, 2, "tenant"));
      const principal = validatePrincipalName(argument(positionals, 3, "principal"));
      const role = (values.role ?? "service") as KeyRole;
      if (!keyRoles.includes(role))
        throw new UsageError(`--role must be one of ${keyRoles.join(", ")}`);
      const key = await system.createKey(tenant, principal, role);
      process.stderr.write(
        `Created key ${key.id} for ${principal} (${role}) in ${tenant}; shown once:\n`,
      );
      process.stdout.write(`${key.apiKey}\n`);
      return;
    }
    case "keys revoke": {
      const tenant = validateTenantId(argument(positionals, 2, "tenant"));
      const id = argument(positionals, 3, "key id");
      const revoked = await system.revokeKey(tenant, id);
      process.stderr.write(revoked ? "Revoked.\n" : "No such active key in that tenant.\n");
      if (!revoked) process.exitCode = 1;
      // Running instances trust a verified key for keyCacheMs (1 s by default); with REDIS_URL
      // they drop it at once on this announcement (published even when nothing changed, so
      // revoking again re-announces a revocation that could not be published).
      if (config.redisUrl !== undefined) {
        try {
          const told = await publishKeyRevocation(config.redisUrl, config.databasePrefix, id);
          process.stderr.write(`Told ${plural(told, "running instance")}.\n`);
        } catch (error) {
          process.stderr.write(
            `Could not tell the running instances through Redis (${String(error)}); they refuse the key within keyCacheMs.\n`,
          );
        }
      }
      return;
    }
    case "export": {
      const vault = tenantVault(argument(positionals, 1, "tenant"));
      await writeLines(vault.export(), values.out);
      return;
    }
    case "import": {
      const vault = tenantVault(argument(positionals, 1, "tenant"));
      const count = await vault.import(readLines(argument(positionals, 2, "file")));
      process.stderr.write(`Imported ${count} records.\n`);
      return;
    }
    default:
      throw new UsageError(
        group === undefined ? "No command" : `Unknown command "${positionals.join(" ")}"`,
      );
  }
}

let providers: Providers | undefined;
try {
  providers = new Providers(readServiceConfig());
  await run(providers, process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${usage}\n`);
  else process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await providers?.close();
}
