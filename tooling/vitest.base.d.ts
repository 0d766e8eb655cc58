import type { UserConfig } from "vitest/config";
export declare const sourceConditions: string[];
export declare function packageTests(overrides?: {
  testTimeout?: number;
  include?: string[];
}): UserConfig;
