import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * A unit of work that spans a whole request: one connection with one open transaction.
 * While code runs inside `scopes.run(scope, fn)`, every query made through the Kysely
 * instance uses that connection, and every transaction opened there (`withTx`) becomes a
 * savepoint of the scope's transaction. So a request's claim of its Idempotency-Key, its
 * business writes and its stored reply commit together, or not at all: a process killed
 * half-way leaves nothing behind but a rolled-back transaction.
 */
export interface Scope {
  readonly id: number;
  /** The connection queries in this scope use; null once the scope has ended. */
  conn: DatabaseConnection | null;
  /** The pooled connection underneath. */
  readonly raw: DatabaseConnection;
  /** Savepoint names of the transactions open in this scope, innermost last. */
  readonly savepoints: string[];
  /** Serializes transactions started side by side in one scope (savepoints must nest). */
  txQueue: Promise<void>;
  txRelease: (() => void) | null;
}

const storage = new AsyncLocalStorage<Scope>();
let nextScopeId = 1;

function isScoped(conn: DatabaseConnection): Scope | null {
  const scope = storage.getStore();
  return scope && scope.conn === conn ? scope : null;
}

class ScopedDriver implements Driver {
  private initialized: Promise<void> | null = null;
  constructor(readonly inner: Driver) {}

  init(): Promise<void> {
    this.initialized ??= this.inner.init();
    return this.initialized;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const scope = storage.getStore();
    if (scope?.conn) return scope.conn;
    return this.inner.acquireConnection();
  }

  /** Takes the scope's turn to run a transaction (or a lone statement) on its connection. */
  async enter(scope: Scope): Promise<void> {
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const previous = scope.txQueue;
    scope.txQueue = previous.then(() => mine);
    await previous;
    scope.txRelease = release;
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const scope = isScoped(conn);
    if (!scope) return this.inner.beginTransaction(conn, settings);
    await this.enter(scope);
    const name = `patron_sp_${scope.savepoints.length + 1}`;
    scope.savepoints.push(name);
    await scope.raw.executeQuery(CompiledQuery.raw(`savepoint ${name}`));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    const scope = isScoped(conn);
    if (!scope) return this.inner.commitTransaction(conn);
    const name = scope.savepoints.pop();
    try {
      if (name) await scope.raw.executeQuery(CompiledQuery.raw(`release savepoint ${name}`));
    } finally {
      this.endScopedTx(scope);
    }
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    const scope = isScoped(conn);
    if (!scope) return this.inner.rollbackTransaction(conn);
    const name = scope.savepoints.pop();
    try {
      if (name) {
        await scope.raw.executeQuery(CompiledQuery.raw(`rollback to savepoint ${name}`));
        await scope.raw.executeQuery(CompiledQuery.raw(`release savepoint ${name}`));
      }
    } finally {
      this.endScopedTx(scope);
    }
  }

  endScopedTx(scope: Scope): void {
    const release = scope.txRelease;
    scope.txRelease = null;
    release?.();
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    if (isScoped(conn)) return;
    return this.inner.releaseConnection(conn);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** Wraps a dialect so its queries follow the current request scope (see `Scope`). */
export class ScopedDialect implements Dialect {
  private driver: ScopedDriver | null = null;
  constructor(private readonly inner: Dialect) {}
  createAdapter(): DialectAdapter {
    return this.inner.createAdapter();
  }
  createDriver(): Driver {
    this.driver = new ScopedDriver(this.inner.createDriver());
    return this.driver;
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return this.inner.createIntrospector(db);
  }
  createQueryCompiler(): QueryCompiler {
    return this.inner.createQueryCompiler();
  }

  /** Request scopes over this dialect's driver (available once Kysely has created it). */
  scopes(): RequestScopes {
    if (!this.driver) throw new Error('The database driver has not been created yet');
    return new RequestScopes(this.driver);
  }
}

/**
 * The scope's connection as queries see it. A statement run outside any transaction of
 * the scope gets a savepoint of its own, so a failed statement that the code catches and
 * handles (a unique violation, say) rolls back alone, as it would outside a scope, instead
 * of aborting the whole request's transaction.
 */
class ScopedConnection implements DatabaseConnection {
  constructor(
    private readonly driver: ScopedDriver,
    private readonly scope: Scope,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const raw = this.scope.raw;
    if (this.scope.savepoints.length > 0) return raw.executeQuery<R>(query);
    await this.driver.enter(this.scope);
    try {
      await raw.executeQuery(CompiledQuery.raw('savepoint patron_stmt'));
      try {
        const result = await raw.executeQuery<R>(query);
        await raw.executeQuery(CompiledQuery.raw('release savepoint patron_stmt'));
        return result;
      } catch (err) {
        await raw.executeQuery(CompiledQuery.raw('rollback to savepoint patron_stmt'));
        await raw.executeQuery(CompiledQuery.raw('release savepoint patron_stmt'));
        throw err;
      }
    } finally {
      this.driver.endScopedTx(this.scope);
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.scope.raw.streamQuery<R>(query, chunkSize);
  }
}

export class RequestScopes {
  constructor(private readonly driver: ScopedDriver) {}

  /** Takes a connection and begins the scope's transaction. */
  async open(): Promise<Scope> {
    await this.driver.init();
    const conn = await this.driver.inner.acquireConnection();
    try {
      await this.driver.inner.beginTransaction(conn, {});
    } catch (err) {
      await this.driver.inner.releaseConnection(conn);
      throw err;
    }
    const scope: Scope = { id: nextScopeId++, conn: null, raw: conn, savepoints: [], txQueue: Promise.resolve(), txRelease: null };
    scope.conn = new ScopedConnection(this.driver, scope);
    return scope;
  }

  /** Runs `fn` with every query of the Kysely instance going through the scope. */
  run<T>(scope: Scope, fn: () => T): T {
    return storage.run(scope, fn);
  }

  /** Commits the scope's transaction and gives the connection back. Throws if the commit fails. */
  async commit(scope: Scope): Promise<void> {
    if (!scope.conn) return;
    const conn = scope.raw;
    scope.conn = null;
    try {
      await this.driver.inner.commitTransaction(conn);
    } catch (err) {
      await this.driver.inner.rollbackTransaction(conn).catch(() => {});
      throw err;
    } finally {
      await this.driver.inner.releaseConnection(conn);
    }
  }

  /** Rolls the scope back (safe to call more than once). */
  async rollback(scope: Scope): Promise<void> {
    if (!scope.conn) return;
    const conn = scope.raw;
    scope.conn = null;
    try {
      await this.driver.inner.rollbackTransaction(conn);
    } catch {
      // A broken connection has rolled back by itself.
    } finally {
      await this.driver.inner.releaseConnection(conn);
    }
  }
}

/** Whether the code running now is inside a request's scope (its queries join the request's transaction). */
export function inRequestScope(): boolean {
  return storage.getStore()?.conn != null;
}

/** Code that must never join the caller's request scope (work that outlives the request). */
export function outsideRequestScope<T>(fn: () => T): T {
  return storage.exit(fn);
}
