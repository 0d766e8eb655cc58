/**
 * The whole API: `vault.*` (the Vault methods), `kv.*` (key-value stores), `transfer.*` (export
 * and import, tenant admins only), `admin.*` (tenants, keys, grants, manifests, audit) and
 * `health`. `AppRouter` is the type `@agentvault/client` is written against.
 */

import { adminRouter } from "./admin-router.js";
import { noInput } from "./input-schemas.js";
import { kvRouter } from "./kv-router.js";
import { publicProcedure } from "./procedures.js";
import { transferRouter } from "./transfer-router.js";
import { t } from "./trpc.js";
import { vaultRouter } from "./vault-router.js";

/** The router every broker serves. */
export const appRouter = t.router({
  vault: vaultRouter,
  kv: kvRouter,
  transfer: transferRouter,
  admin: adminRouter,
  /** Whether this instance and its storage answer; needs no key. */
  health: publicProcedure.input(noInput).query(async ({ ctx }) => {
    const status = await ctx.services.system.health();
    return { ok: status.ok };
  }),
});

/** The router's type, for typed clients. */
export type AppRouter = typeof appRouter;
