/**
 * Seed 000: an e-commerce agent's shopping cart. Products and carts are collections; a cart is
 * one document per user, read, changed and written back, with totals kept in cents.
 */

import type { Vault } from "@agentvault/core";
import { cents, type Example, type ExampleEnvironment } from "./example-environment.js";

interface Product {
  name: string;
  price: number;
  category: string;
  sale?: boolean;
}

interface CartItem {
  productId: string;
  name: string;
  price: number;
  quantity: number;
}

interface Cart {
  userId: string;
  items: CartItem[];
  total: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The agent's tools, bound to a vault. */
export function cartTools(vault: Vault, now: () => Date) {
  const products = vault.collection<Product>("products");
  const carts = vault.collection<Cart>("carts");

  async function addToCart(userId: string, productId: string, quantity = 1) {
    const product = await products.retrieve(productId);
    if (product === null) return { error: `Product ${productId} not found` };
    const cart: Cart = (await carts.retrieve(userId)) ?? {
      userId,
      items: [],
      total: 0,
      createdAt: now(),
      updatedAt: now(),
    };
    const existing = cart.items.find((item) => item.productId === productId);
    if (existing) existing.quantity += quantity;
    else cart.items.push({ productId, name: product.name, price: product.price, quantity });
    cart.total = cents(cart.items.reduce((sum, item) => sum + item.price * item.quantity, 0));
    cart.updatedAt = now();
    const { _id, ...document } = cart as Cart & { _id?: string };
    await carts.store(document, { key: userId });
    return {
      message: `Added ${quantity}x ${product.name} to cart`,
      cartTotal: cart.total,
      itemCount: cart.items.length,
    };
  }

  async function getCart(userId: string) {
    const cart = await carts.retrieve(userId);
    if (cart === null) return { message: "Cart is empty", items: [], total: 0 };
    return { items: cart.items, total: cart.total, itemCount: cart.items.length };
  }

  async function removeFromCart(userId: string, productId: string) {
    const cart = await carts.retrieve(userId);
    const removed = cart?.items.find((item) => item.productId === productId);
    if (cart === null || removed === undefined) return false;
    // One atomic update: pull the line and take its amount off the total.
    return carts.update(userId, {
      $pull: { items: { productId } },
      $inc: { total: -cents(removed.price * removed.quantity) },
      $set: { updatedAt: now() },
    });
  }

  return { products, carts, addToCart, getCart, removeFromCart };
}

/** Runs a shopping session. */
export async function shoppingCartExample(environment: ExampleEnvironment) {
  const { vault } = environment;
  await vault.clear("products");
  await vault.clear("carts");
  const tools = cartTools(vault, () => environment.now());
  await tools.products.store(
    { name: "Laptop", price: 999.99, category: "electronics" },
    { key: "laptop-001" },
  );
  await tools.products.store(
    { name: "Mouse", price: 29.99, category: "electronics" },
    { key: "mouse-001" },
  );
  const lampKey = await tools.products.store({ name: "Desk Lamp", price: 45.5, category: "home" });

  const steps = [
    await tools.addToCart("user-123", "laptop-001"),
    await tools.addToCart("user-123", "mouse-001", 2),
    await tools.addToCart("user-123", "mouse-001"),
    await tools.addToCart("user-123", lampKey),
    await tools.addToCart("user-123", "tablet-404"),
  ];
  const beforeRemoval = await tools.getCart("user-123");
  const removed = await tools.removeFromCart("user-123", "mouse-001");
  const saleApplied = await tools.products.update("mouse-001", { price: 24.99, sale: true });
  return {
    lampKey,
    steps,
    beforeRemoval,
    removed,
    afterRemoval: await tools.getCart("user-123"),
    emptyCart: await tools.getCart("user-999"),
    expensive: (await tools.products.query({ price: { $gte: 500 } })).map((p) => p.name),
    electronics: await tools.products.count({ category: "electronics" }),
    saleApplied,
    onSale: await tools.products.query({ sale: true }, { projection: { name: 1, price: 1 } }),
    catalogue: (await tools.products.query({}, { sort: { price: 1 } })).map((p) => p.name),
  };
}

/** The example, for `main.ts` and the tests. */
export const shoppingCart: Example = {
  name: "shopping-cart",
  seed: "000",
  run: shoppingCartExample,
};
