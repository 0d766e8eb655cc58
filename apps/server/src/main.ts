/**
 * `pnpm start`: runs the AgentVault data broker. Configuration comes from the environment (see
 * `config.ts`). On the first start without `AGENTVAULT_ROOT_KEY`, a root key is generated, only
 * its hash is stored, and the key is printed here once.
 */

import { readServiceConfig, type ServiceConfig } from "./config.js";
import { startService } from "./service.js";

let config: ServiceConfig;
try {
  config = readServiceConfig();
} catch (error) {
  // A configuration mistake is the operator's to fix: its message, not a stack trace.
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
const service = await startService(config);
const logger = service.server.broker.logger;
if (service.generatedRootKey !== undefined) {
  // Printed, never logged: this is the only time the key exists outside its holder's hands.
  process.stdout.write(
    `\nAgentVault root key (shown once; store it now, only its hash is kept):\n\n  ${service.generatedRootKey}\n\n`,
  );
}
logger.info({ url: service.url }, `AgentVault server listening on ${service.url}`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "draining requests before shutdown");
  try {
    await service.stop();
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, "shutdown failed");
    process.exit(1);
  }
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
