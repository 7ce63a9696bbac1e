// Thin typed helpers over the Durable Object's synchronous SQLite API. Values sit beside their
// columns: `sql.first<Row>\`SELECT * FROM t WHERE id = ${id}\`` (a tagged template bound with ?),
// and `sql.insert("t", { id, name })` for rows, never a long positional list to count.
export type Row = Record<string, SqlStorageValue>;

type Query = string | TemplateStringsArray;

function bind(query: Query, args: SqlStorageValue[]): [string, SqlStorageValue[]] {
  return typeof query === "string" ? [query, args] : [query.join("?"), args];
}

/** What the object's statements have done since it started: the work an act costs, countable. */
export interface SqlWork {
  statements: number;
  /** Statements that changed at least one row (a table's or an index's). */
  writes: number;
  rowsRead: number;
  rowsWritten: number;
}

export class Sql {
  readonly work: SqlWork = { statements: 0, writes: 0, rowsRead: 0, rowsWritten: 0 };

  constructor(private readonly storage: SqlStorage) {}

  private exec<T extends Row>(
    query: Query,
    args: SqlStorageValue[],
  ): { rows: T[]; cursor: SqlStorageCursor<T> } {
    const [text, values] = bind(query, args);
    const cursor = this.storage.exec<T>(text, ...values);
    const rows = cursor.toArray();
    this.work.statements++;
    if (cursor.rowsWritten > 0) this.work.writes++;
    this.work.rowsRead += cursor.rowsRead;
    this.work.rowsWritten += cursor.rowsWritten;
    return { rows, cursor };
  }

  all<T extends Row>(query: Query, ...args: SqlStorageValue[]): T[] {
    return this.exec<T>(query, args).rows;
  }

  first<T extends Row>(query: Query, ...args: SqlStorageValue[]): T | undefined {
    return this.all<T>(query, ...args)[0];
  }

  run(query: Query, ...args: SqlStorageValue[]): number {
    return this.exec(query, args).cursor.rowsWritten;
  }

  /** Inserts one row given as column → value. */
  insert(table: string, row: Row, onConflict = ""): number {
    const columns = Object.keys(row);
    return this.run(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ${onConflict}`,
      ...columns.map((c) => row[c]!),
    );
  }
}

export const str = (v: SqlStorageValue | undefined): string | null =>
  typeof v === "string" ? v : null;
export const num = (v: SqlStorageValue | undefined): number | null =>
  typeof v === "number" ? v : null;
