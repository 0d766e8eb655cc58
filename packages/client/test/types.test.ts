/**
 * Type tests: the server router's types reach the client's results, inputs and collection
 * handles. `tsc --noEmit` checks them (a wrong type fails the type check); vitest runs the file
 * so the assertions are also exercised.
 */

import type { Collection, KeyValueStore, SearchHit, StoredDocument, Vault } from "@agentvault/core";
import type { Value } from "@agentvault/query";
import type {
  AuditVerification,
  Grant,
  KeyInfo,
  KeyRole,
  ManifestResult,
} from "@agentvault/server";
import { describe, expectTypeOf, it } from "vitest";
import {
  type AdminClient,
  createVaultClient,
  type RouterInputs,
  type RouterOutputs,
  type VaultClient,
} from "../src/index.js";

interface Order {
  item: string;
  quantity: number;
  placedAt: Date;
}

describe("types flow from the server's router", () => {
  const client = createVaultClient({ url: "http://127.0.0.1:1", apiKey: "avk_test" });

  it("router outputs are the Vault's result types", () => {
    expectTypeOf<RouterOutputs["vault"]["query"]>().toEqualTypeOf<StoredDocument[]>();
    expectTypeOf<RouterOutputs["vault"]["count"]>().toEqualTypeOf<number>();
    expectTypeOf<RouterOutputs["vault"]["store"]>().toEqualTypeOf<string>();
    expectTypeOf<RouterOutputs["vault"]["search"]>().toEqualTypeOf<SearchHit[]>();
    expectTypeOf(client.query).returns.resolves.toEqualTypeOf<RouterOutputs["vault"]["query"]>();
    expectTypeOf(client.count).returns.resolves.toEqualTypeOf<RouterOutputs["vault"]["count"]>();
  });

  it("a client is a Vault, with an admin part", () => {
    expectTypeOf<VaultClient>().toExtend<Vault>();
    expectTypeOf(client.admin).toEqualTypeOf<AdminClient>();
  });

  it("admin results are the router's", () => {
    expectTypeOf(client.admin.createKey).returns.resolves.toEqualTypeOf<{
      id: string;
      apiKey: string;
      principal: string;
      role: KeyRole;
    }>();
    expectTypeOf(client.admin.createTenant).returns.resolves.toEqualTypeOf<{
      tenant: string;
      keyId: string;
      apiKey: string;
    }>();
    expectTypeOf(client.admin.grant).returns.resolves.toEqualTypeOf<Grant>();
    expectTypeOf(client.admin.listKeys).returns.resolves.toEqualTypeOf<KeyInfo[]>();
    expectTypeOf(client.admin.verifyAudit).returns.resolves.toEqualTypeOf<AuditVerification>();
    expectTypeOf(client.admin.applyManifest).returns.resolves.toEqualTypeOf<ManifestResult>();
  });

  it("admin inputs are the router's and reject what the server would", () => {
    expectTypeOf(client.admin.createKey)
      .parameter(0)
      .toEqualTypeOf<RouterInputs["admin"]["createKey"]>();
    expectTypeOf<RouterInputs["admin"]["createKey"]>().toEqualTypeOf<{
      principal: string;
      role?: string | undefined;
    }>();
    // @ts-expect-error the principal is required
    void (() => client.admin.createKey({ role: "service" }));
    // @ts-expect-error unknown fields are not accepted
    void (() => client.admin.revoke({ collection: "a.b", principal: "x", reason: "no" }));
  });

  it("kv and transfer procedures are typed from the router", () => {
    expectTypeOf<RouterInputs["kv"]["set"]>().toEqualTypeOf<{
      store: string;
      key: string;
      value: Value;
      ttl?: number | undefined;
    }>();
    expectTypeOf<RouterOutputs["kv"]["entries"]["entries"]>().toEqualTypeOf<[string, Value][]>();
    expectTypeOf<RouterOutputs["kv"]["popItem"]>().toEqualTypeOf<[string, Value]>();
    expectTypeOf<RouterOutputs["transfer"]["importPage"]>().toEqualTypeOf<number>();
    expectTypeOf(client.kv<{ theme: string }>).returns.resolves.toEqualTypeOf<
      KeyValueStore<{ theme: string }>
    >();
    expectTypeOf(client.export).returns.toEqualTypeOf<AsyncIterable<string>>();
    // @ts-expect-error unknown fields are not accepted
    const extra: RouterInputs["kv"]["get"] = { store: "s", key: "k", other: 1 };
    void extra;
  });

  it("collection handles carry the document type", () => {
    const orders = client.collection<Order>("orders");
    expectTypeOf(orders).toEqualTypeOf<Collection<Order>>();
    const retrieveOne = (key: string) => orders.retrieve(key);
    const retrieveAll = () => orders.retrieve();
    expectTypeOf(retrieveOne).returns.resolves.toEqualTypeOf<StoredDocument<Order> | null>();
    expectTypeOf(retrieveAll).returns.resolves.toEqualTypeOf<StoredDocument<Order>[]>();
    expectTypeOf<ReturnType<typeof orders.query>>().resolves.toEqualTypeOf<
      (Order & { _id: string })[]
    >();
    expectTypeOf(orders.search).returns.resolves.items.toEqualTypeOf<SearchHit<Order>>();
    expectTypeOf(orders.store).parameter(0).toEqualTypeOf<Order>();
    // @ts-expect-error a document of the wrong shape
    void (() => orders.store({ item: "lamp" }));
  });
});
