// The shared encoding of `@agentvault/core`, under the names this package has always exported.
export {
  decodeSafeName as decodeName,
  encodeSafeName as encodeName,
  hashedSafeName as hashedName,
  isHashedSafeName as isHashedName,
  maxSafeNameLength as maxEncodedNameLength,
} from "@agentvault/core";
export type { FilesystemProviderOptions } from "./filesystem-options.js";
export { filesystemProvider } from "./filesystem-provider.js";
