/**
 * What every procedure can reach through its context: the system store, tenant scopes, limits,
 * the rate limiter, the access policy, metrics and the logger. Built once per broker.
 */

import type { Logger } from "pino";
import type { AuditLog } from "./audit-log.js";
import type { ResolvedLimits } from "./limits.js";
import type { BrokerMetrics } from "./metrics.js";
import type { AccessPolicy } from "./permissions.js";
import type { CallRateLimiter } from "./rate-limiter.js";
import type { SystemStore } from "./system-store.js";
import type { TenantScopes } from "./tenant-scopes.js";

/** The broker's services. */
export interface BrokerServices {
  readonly system: SystemStore;
  /** The audit log of root (tenant administration) calls, in the system database. */
  readonly systemAudit: AuditLog;
  readonly tenants: TenantScopes;
  readonly limits: ResolvedLimits;
  readonly rate: CallRateLimiter;
  readonly policy: AccessPolicy;
  readonly metrics: BrokerMetrics;
  readonly logger: Logger;
  readonly now: () => number;
}
