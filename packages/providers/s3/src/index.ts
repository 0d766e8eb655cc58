export type { S3ProviderOptions } from "./s3-options.js";
export { s3Provider } from "./s3-provider.js";
