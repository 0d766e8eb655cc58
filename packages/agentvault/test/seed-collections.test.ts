/**
 * Seed 000's agent tools (shopping cart, fitness tracking, customer memory), written the way an
 * agent developer would write them against `openVault()`, with assertions on what the agent's
 * user would see.
 */

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredDocument, Vault } from "../src/index.js";
import { backends, type OpenedBackend } from "./backends.js";

interface CartItem {
  product_id: string;
  name: string;
  price: number;
  quantity: number;
}
interface Cart {
  user_id: string;
  items: CartItem[];
  total: number;
}

async function addToCart(vault: Vault, userId: string, productId: string, quantity = 1) {
  const stored = (await vault.retrieve("carts", userId)) as StoredDocument<Cart> | null;
  const cart: Cart = stored ?? { user_id: userId, items: [], total: 0 };
  const product = await vault.retrieve("products", productId);
  if (product === null) return { error: "Product not found" };
  const existing = cart.items.find((item) => item.product_id === productId);
  if (existing) existing.quantity += quantity;
  else {
    cart.items.push({
      product_id: productId,
      name: product.name as string,
      price: product.price as number,
      quantity,
    });
  }
  cart.total = cart.items.reduce((sum, item) => sum + item.price * item.quantity, 0);
  await vault.store("carts", cart, { key: userId });
  return { cart_total: cart.total, item_count: cart.items.length };
}

async function getCart(vault: Vault, userId: string) {
  const cart = (await vault.retrieve("carts", userId)) as StoredDocument<Cart> | null;
  if (cart === null) return { message: "Cart is empty", items: [], total: 0 };
  return { items: cart.items, total: cart.total, item_count: cart.items.length };
}

const isoDay = (day: number) => new Date(Date.UTC(2025, 2, day)).toISOString().slice(0, 10);

async function logWorkout(
  vault: Vault,
  workout: { userId: string; type: string; minutes: number; calories: number; day: number },
) {
  const date = isoDay(workout.day);
  await vault.store("workouts", {
    user_id: workout.userId,
    type: workout.type,
    duration_minutes: workout.minutes,
    calories_burned: workout.calories,
    date,
  });
  const stats = (await vault.retrieve("fitness_stats", workout.userId)) ?? {
    total_workouts: 0,
    streak_days: 0,
  };
  const today = await vault.query("workouts", { user_id: workout.userId, date });
  let streak = stats.streak_days as number;
  if (today.length === 1) {
    const yesterday = await vault.count("workouts", {
      user_id: workout.userId,
      date: isoDay(workout.day - 1),
    });
    streak = yesterday > 0 ? streak + 1 : 1;
  }
  const total = (stats.total_workouts as number) + 1;
  await vault.store(
    "fitness_stats",
    { total_workouts: total, streak_days: streak },
    { key: workout.userId },
  );
  return { total_workouts: total, streak_days: streak };
}

async function fitnessSummary(vault: Vault, userId: string, today: number, days: number) {
  const recent = await vault.query("workouts", {
    user_id: userId,
    date: { $gte: isoDay(today - days) },
  });
  return {
    workouts: recent.length,
    minutes: recent.reduce((sum, workout) => sum + (workout.duration_minutes as number), 0),
    types: [...new Set(recent.map((workout) => workout.type as string))].sort(),
  };
}

async function remember(vault: Vault, customerId: string, context: string, category = "general") {
  return vault.store("customer_memory", { customer_id: customerId, context, category });
}

async function recall(vault: Vault, customerId: string, category?: string) {
  const filter =
    category === undefined ? { customer_id: customerId } : { customer_id: customerId, category };
  return vault.query("customer_memory", filter, { sort: { context: 1 } });
}

async function searchHistory(vault: Vault, text: string) {
  return vault.query("customer_memory", {
    $or: [
      { context: { $regex: text, $options: "i" } },
      { category: { $regex: text, $options: "i" } },
    ],
  });
}

describe.each(backends)("seed 000 scenarios on $name", (backend) => {
  let opened: OpenedBackend;
  let vault: Vault;
  beforeEach(async () => {
    opened = await backend.open();
    vault = opened.vault;
    await vault.store("products", { name: "Laptop", price: 999.99 }, { key: "laptop-001" });
    await vault.store("products", { name: "Mouse", price: 29.99 }, { key: "mouse-001" });
  });
  afterEach(() => opened.cleanup());

  it("fills a shopping cart and totals it", async () => {
    expect(await getCart(vault, "user_1")).toEqual({
      message: "Cart is empty",
      items: [],
      total: 0,
    });
    expect(await addToCart(vault, "user_1", "laptop-001", 2)).toMatchObject({ item_count: 1 });
    await addToCart(vault, "user_1", "mouse-001");
    const last = await addToCart(vault, "user_1", "laptop-001");
    expect(last.item_count).toBe(2);
    expect(last.cart_total).toBeCloseTo(3029.96, 2);
    expect(await addToCart(vault, "user_1", "nope")).toEqual({ error: "Product not found" });
    const cart = await getCart(vault, "user_1");
    expect(cart.items.map((item) => [item.name, item.quantity])).toEqual([
      ["Laptop", 3],
      ["Mouse", 1],
    ]);
    expect((await getCart(vault, "user_2")).items).toEqual([]);
  });

  it.runIf(backend.persistent)(
    "keeps the cart after a restart (persistent backends only)",
    async () => {
      await addToCart(vault, "user_1", "mouse-001", 4);
      await vault.close();
      const again = await opened.reopen();
      const cart = await getCart(again, "user_1");
      expect(cart.item_count).toBe(1);
      expect(cart.total).toBeCloseTo(119.96, 2);
    },
  );

  it("tracks workout streaks by date and summarises a period", async () => {
    const log = (day: number, type: string, minutes: number) =>
      logWorkout(vault, { userId: "u1", type, minutes, calories: minutes * 10, day });
    expect(await log(10, "run", 30)).toEqual({ total_workouts: 1, streak_days: 1 });
    expect(await log(11, "swim", 45)).toEqual({ total_workouts: 2, streak_days: 2 });
    expect(await log(11, "run", 20)).toEqual({ total_workouts: 3, streak_days: 2 });
    expect(await log(12, "yoga", 60)).toEqual({ total_workouts: 4, streak_days: 3 });
    expect(await log(14, "run", 25)).toEqual({ total_workouts: 5, streak_days: 1 });
    await logWorkout(vault, { userId: "u2", type: "row", minutes: 99, calories: 1, day: 14 });

    expect(await fitnessSummary(vault, "u1", 14, 3)).toEqual({
      workouts: 4,
      minutes: 45 + 20 + 60 + 25,
      types: ["run", "swim", "yoga"],
    });
    expect((await fitnessSummary(vault, "u1", 14, 30)).workouts).toBe(5);
  });

  it("remembers, recalls and searches customer context case-insensitively", async () => {
    await remember(vault, "c1", "Prefers email over phone", "preferences");
    await remember(vault, "c1", "Disputed an invoice in March", "billing");
    await remember(vault, "c2", "Asked about BILLING cycles", "general");
    await remember(vault, "c2", "Loves the dark theme", "preferences");

    expect((await recall(vault, "c1")).map((memory) => memory.context)).toEqual([
      "Disputed an invoice in March",
      "Prefers email over phone",
    ]);
    expect((await recall(vault, "c1", "billing")).map((memory) => memory.context)).toEqual([
      "Disputed an invoice in March",
    ]);
    expect(await recall(vault, "c3")).toEqual([]);

    const billing = await searchHistory(vault, "billing");
    expect(billing.map((memory) => memory.customer_id).sort()).toEqual(["c1", "c2"]);
    const theme = await searchHistory(vault, "DARK");
    expect(theme.map((memory) => memory.context)).toEqual(["Loves the dark theme"]);
    expect(await searchHistory(vault, "refund")).toEqual([]);
  });
});
