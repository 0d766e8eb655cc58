/**
 * The server's router types, as the client sees them. `AppRouter` is imported as a type only,
 * so no server code is bundled: these types follow the server's procedures exactly, and a
 * change there that breaks the client fails the client's type check.
 */

import type { AppRouter } from "@agentvault/server";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";

export type { AppRouter };

/** The inputs of every procedure, by path: `RouterInputs["admin"]["createKey"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** The results of every procedure, by path: `RouterOutputs["vault"]["query"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
