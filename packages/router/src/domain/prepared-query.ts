import type { DB } from "@shootout/db";
import type { Compilable, CompiledQuery, Kysely, Transaction } from "kysely";

type Db = Kysely<DB> | Transaction<DB>;

/** Stands in for a named parameter while a prepared query is built; the compiled SQL shows where it went. */
class Slot {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
}

interface Template {
  readonly compiled: CompiledQuery;
  /** Per SQL parameter: the name of the value to bind, or a constant the builder put there. */
  readonly sources: readonly ({ readonly param: string } | { readonly value: unknown })[];
}

/**
 * A query built and compiled once per database handle, then only re-bound with new values. For
 * the hot read paths (session check, lists): building the operation tree, the CamelCasePlugin
 * rewrite and compiling cost more CPU per call than the rest of the call's own work, and their
 * SQL never changes. Results still pass through the handle's plugins (camelCase keys).
 *
 * `build` receives placeholders, not values: it must put each one into the query as a value
 * (`where(col, "=", p.id)`, `limit(p.limit)`, `sql\`…${p.x}…\``) and never inspect, compute with
 * or branch on it. A query whose shape depends on the values (optional filters, `in` lists of
 * varying length, `= null`) is several prepared queries, or passes a list as one array
 * parameter (`= any(${p.ids})`).
 */
export function preparedQuery<Params extends Record<string, unknown>, Row>(
  build: (db: Kysely<DB>, params: Params) => Compilable<Row>,
): (db: Db, params: Params) => Promise<Row[]> {
  // Keyed by handle: the SQL depends on its dialect and plugins. A transaction is its own handle.
  const templates = new WeakMap<Db, Template>();
  const placeholders = new Proxy({} as Params, {
    get: (_, name) => (typeof name === "string" ? new Slot(name) : undefined),
  });

  function prepare(db: Db): Template {
    const compiled = build(db, placeholders).compile();
    return {
      compiled,
      sources: compiled.parameters.map((value) =>
        value instanceof Slot ? { param: value.name } : { value },
      ),
    };
  }

  return async (db, params) => {
    let template = templates.get(db);
    if (!template) {
      template = prepare(db);
      templates.set(db, template);
    }
    const parameters = template.sources.map((source) =>
      "param" in source ? params[source.param] : source.value,
    );
    const result = await db.executeQuery<Row>({ ...template.compiled, parameters } as CompiledQuery<Row>);
    return result.rows;
  };
}
