import type {
  AbortableOperationOptions,
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from "kysely";
import { classifyDatabaseError } from "./database-unavailable.ts";

/**
 * A dialect whose every failure that is a lost or refused connection surfaces as a
 * DatabaseUnavailableError (the raw error as its cause), whichever query, transaction step or pool
 * checkout it hit: callers tell "the database is away" from a bug by type, not by parsing messages.
 */
export function classifyingDialect(inner: Dialect): Dialect {
  return {
    createDriver: () => new ClassifyingDriver(inner.createDriver()),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
  };
}

async function classified<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw classifyDatabaseError(error);
  }
}

/** Wraps the inner driver's connections; hands the inner driver back its own. */
class ClassifyingDriver implements Driver {
  readonly #inner: Driver;
  readonly #unwrap = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(inner: Driver) {
    this.#inner = inner;
  }

  #raw(connection: DatabaseConnection): DatabaseConnection {
    return this.#unwrap.get(connection) ?? connection;
  }

  init(options?: AbortableOperationOptions): Promise<void> {
    return classified(() => this.#inner.init(options));
  }

  async acquireConnection(options?: AbortableOperationOptions): Promise<DatabaseConnection> {
    const raw = await classified(() => this.#inner.acquireConnection(options));
    // The inner connection's methods read its private fields: each is called on it, never rebound.
    const wrapped: DatabaseConnection = {
      executeQuery: <R>(query: CompiledQuery, opts?: AbortableOperationOptions): Promise<QueryResult<R>> =>
        classified(() => raw.executeQuery<R>(query, opts)),
      async *streamQuery<R>(
        query: CompiledQuery,
        chunkSize: number,
        opts?: AbortableOperationOptions,
      ): AsyncIterableIterator<QueryResult<R>> {
        try {
          yield* raw.streamQuery<R>(query, chunkSize, opts);
        } catch (error) {
          throw classifyDatabaseError(error);
        }
      },
      ...(raw.cancelQuery ? { cancelQuery: (provider) => raw.cancelQuery!(provider) } : {}),
      ...(raw.collectSessionInfo ? { collectSessionInfo: () => raw.collectSessionInfo!() } : {}),
      ...(raw.killSession ? { killSession: (provider) => raw.killSession!(provider) } : {}),
    };
    this.#unwrap.set(wrapped, raw);
    return wrapped;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return classified(() => this.#inner.beginTransaction(this.#raw(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return classified(() => this.#inner.commitTransaction(this.#raw(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return classified(() => this.#inner.rollbackTransaction(this.#raw(connection)));
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler["compileQuery"],
  ): Promise<void> {
    const inner = this.#inner;
    if (!inner.savepoint) throw new Error("savepoints are not supported by this driver");
    return classified(() => inner.savepoint!(this.#raw(connection), name, compile));
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler["compileQuery"],
  ): Promise<void> {
    const inner = this.#inner;
    if (!inner.rollbackToSavepoint) throw new Error("savepoints are not supported by this driver");
    return classified(() => inner.rollbackToSavepoint!(this.#raw(connection), name, compile));
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler["compileQuery"],
  ): Promise<void> {
    const inner = this.#inner;
    if (!inner.releaseSavepoint) throw new Error("savepoints are not supported by this driver");
    return classified(() => inner.releaseSavepoint!(this.#raw(connection), name, compile));
  }

  releaseConnection(connection: DatabaseConnection, options?: AbortableOperationOptions): Promise<void> {
    return this.#inner.releaseConnection(this.#raw(connection), options);
  }

  destroy(options?: AbortableOperationOptions): Promise<void> {
    return this.#inner.destroy(options);
  }
}
