import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

function build(d1: D1Database) {
  return drizzle(d1, { schema });
}
export type Database = ReturnType<typeof build>;

/**
 * Building the client walks the whole schema (drizzle's relational config) —
 * about as much CPU as a small query — so it is built once per D1 binding
 * object and reused (the client holds no per-request state).
 */
const clients = new WeakMap<D1Database, Database>();

/** The drizzle client over a D1 binding (one per binding object, cached). */
export function createDb(d1: D1Database): Database {
  let db = clients.get(d1);
  if (!db) {
    db = build(d1);
    clients.set(d1, db);
  }
  return db;
}
