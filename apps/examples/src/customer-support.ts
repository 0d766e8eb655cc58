/**
 * Seed 000: a support agent remembers context about customers between conversations, recalls
 * it by customer and category, and searches the whole history case-insensitively.
 */

import type { Vault } from "@agentvault/core";
import type { Example, ExampleEnvironment } from "./example-environment.js";

interface Memory {
  customerId: string;
  context: string;
  category: string;
  timestamp: Date;
  agentSession: string;
}

/** Characters with a meaning in regular expressions, escaped so a search is literal. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The agent's tools, bound to a vault. */
export function supportTools(vault: Vault) {
  const memories = vault.collection<Memory>("customer_memory");

  async function remember(customerId: string, context: string, category: string, at: Date) {
    const memoryId = await memories.store({
      customerId,
      context,
      category,
      timestamp: at,
      agentSession: "current",
    });
    return { message: `Remembered: ${context}`, memoryId, category };
  }

  async function recall(customerId: string, category?: string) {
    const filter = category === undefined ? { customerId } : { customerId, category };
    const found = await memories.query(filter, { sort: { timestamp: 1 } });
    if (found.length === 0) return { message: "No previous context found for this customer" };
    return {
      customerId,
      contextItems: found.length,
      contexts: found.map((memory) => ({
        context: memory.context,
        category: memory.category,
        when: memory.timestamp,
      })),
    };
  }

  async function searchHistory(query: string) {
    const pattern = literal(query);
    const found = await memories.query(
      {
        $or: [
          { context: { $regex: pattern, $options: "i" } },
          { category: { $regex: pattern, $options: "i" } },
        ],
      },
      { sort: { timestamp: -1 }, limit: 10 },
    );
    return found.map((memory) => `${memory.customerId}: ${memory.context}`);
  }

  async function forget(customerId: string) {
    return memories.deleteMany({ customerId });
  }

  return { remember, recall, searchHistory, forget, memories };
}

/** Two conversations' worth of memories, recalled and searched. */
export async function customerSupportExample(environment: ExampleEnvironment) {
  const { vault } = environment;
  await vault.clear("customer_memory");
  const tools = supportTools(vault);
  const start = environment.now().getTime();
  const minute = (n: number) => new Date(start + n * 60_000);
  const remembered = [
    await tools.remember("cust-1", "Prefers email over phone", "preferences", minute(0)),
    await tools.remember("cust-1", "Billing issue with invoice #1042", "billing", minute(1)),
    await tools.remember("cust-2", "Asked about the EMAIL digest", "product", minute(2)),
    await tools.remember("cust-1", "Invoice #1042 refunded (c++ team)", "billing", minute(3)),
    await tools.remember("cust-3", "Wants a call back on Monday", "preferences", minute(4)),
  ];
  return {
    categories: remembered.map((entry) => entry.category),
    recallAll: await tools.recall("cust-1"),
    recallBilling: await tools.recall("cust-1", "billing"),
    recallUnknown: await tools.recall("cust-9"),
    searchEmail: await tools.searchHistory("email"),
    searchInvoice: await tools.searchHistory("INVOICE #1042"),
    searchLiteral: await tools.searchHistory("c++"),
    searchCategory: await tools.searchHistory("prefer"),
    perCategory: {
      billing: await tools.memories.count({ category: "billing" }),
      preferences: await tools.memories.count({ category: "preferences" }),
    },
    forgotten: await tools.forget("cust-2"),
    left: await tools.memories.count(),
  };
}

/** The example, for `main.ts` and the tests. */
export const customerSupport: Example = {
  name: "customer-support",
  seed: "000",
  run: customerSupportExample,
};
