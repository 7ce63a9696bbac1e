// Thin typed helpers over the Durable Object's synchronous SQLite API. Values sit beside their
// columns: `sql.first<Row>\`SELECT * FROM t WHERE id = ${id}\`` (a tagged template bound with ?),
// and `sql.insert("t", { id, name })` for rows, never a long positional list to count.
export type Row = Record<string, SqlStorageValue>;

type Query = string | TemplateStringsArray;

function bind(query: Query, args: SqlStorageValue[]): [string, SqlStorageValue[]] {
  return typeof query === "string" ? [query, args] : [query.join("?"), args];
}

export class Sql {
  constructor(private readonly storage: SqlStorage) {}

  all<T extends Row>(query: Query, ...args: SqlStorageValue[]): T[] {
    const [text, values] = bind(query, args);
    return this.storage.exec<T>(text, ...values).toArray();
  }

  first<T extends Row>(query: Query, ...args: SqlStorageValue[]): T | undefined {
    return this.all<T>(query, ...args)[0];
  }

  run(query: Query, ...args: SqlStorageValue[]): number {
    const [text, values] = bind(query, args);
    return this.storage.exec(text, ...values).rowsWritten;
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
