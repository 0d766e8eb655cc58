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
 * pnpm --filter @agentvault/server-app cli export <tenant> [--out file.jsonl]
 * pnpm --filter @agentvault/server-app cli import <tenant> <file.jsonl>
 * ```
 *
 * New keys are printed once, on stdout; everything else goes to stderr.
 */

import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createVault, type StorageProvider } from "@agentvault/core";
import {
  type KeyRole,
  keyRoles,
  SystemStore,
  tenantDatabaseName,
  validatePrincipalName,
  validateTenantId,
} from "@agentvault/server";
import { readServiceConfig } from "./config.js";
import { openStorageProvider } from "./storage.js";

const usage = `Usage: cli <command>
  tenants list
  tenants create <tenant>
  keys list <tenant>
  keys create <tenant> <principal> [--role service|agent|reader|admin]
  keys revoke <tenant> <key id>
  export <tenant> [--out file.jsonl]
  import <tenant> <file.jsonl>`;

class UsageError extends Error {}

function argument(values: readonly string[], index: number, name: string): string {
  const value = values[index];
  if (value === undefined) throw new UsageError(`Missing <${name}>`);
  return value;
}

async function run(provider: StorageProvider, argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { role: { type: "string" }, out: { type: "string" } },
  });
  const config = readServiceConfig();
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
  const [group, action] = positionals;
  const command =
    group === "export" || group === "import" ? group : `${group} ${action ?? ""}`.trim();
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
      const revoked = await system.revokeKey(tenant, argument(positionals, 3, "key id"));
      process.stderr.write(revoked ? "Revoked.\n" : "No such active key in that tenant.\n");
      if (!revoked) process.exitCode = 1;
      return;
    }
    case "export": {
      const vault = tenantVault(argument(positionals, 1, "tenant"));
      const out = values.out === undefined ? process.stdout : createWriteStream(values.out);
      for await (const line of vault.export()) {
        if (!out.write(`${line}\n`)) await once(out, "drain");
      }
      if (out !== process.stdout) await new Promise<void>((resolve) => out.end(() => resolve()));
      return;
    }
    case "import": {
      const vault = tenantVault(argument(positionals, 1, "tenant"));
      const lines = createInterface({
        input: createReadStream(argument(positionals, 2, "file")),
        crlfDelay: Infinity,
      });
      const count = await vault.import(lines);
      process.stderr.write(`Imported ${count} records.\n`);
      return;
    }
    default:
      throw new UsageError(
        group === undefined ? "No command" : `Unknown command "${positionals.join(" ")}"`,
      );
  }
}

const provider = await openStorageProvider(readServiceConfig());
try {
  await run(provider, process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${usage}\n`);
  else process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await provider.close();
}
