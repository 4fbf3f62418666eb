import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./packages/domain/src/schema/index.ts",
  out: "./migrations",
});
