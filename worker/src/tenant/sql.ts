// Thin typed helpers over the Durable Object's synchronous SQLite API.
export type Row = Record<string, SqlStorageValue>;

export class Sql {
  constructor(private readonly storage: SqlStorage) {}

  all<T extends Row>(query: string, ...args: SqlStorageValue[]): T[] {
    return this.storage.exec<T>(query, ...args).toArray();
  }

  first<T extends Row>(query: string, ...args: SqlStorageValue[]): T | undefined {
    return this.storage.exec<T>(query, ...args).toArray()[0];
  }

  run(query: string, ...args: SqlStorageValue[]): number {
    return this.storage.exec(query, ...args).rowsWritten;
  }
}

export const str = (v: SqlStorageValue | undefined): string | null => (typeof v === "string" ? v : null);
export const num = (v: SqlStorageValue | undefined): number | null => (typeof v === "number" ? v : null);
