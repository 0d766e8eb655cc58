import { packageTests } from "@agentvault/tooling/vitest";

export default packageTests();
