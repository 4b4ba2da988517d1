// Key-value settings stored as JSON text, so any JSON value survives a round trip with its type.
import type Database from 'better-sqlite3';

function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new TypeError('A settings key must be a non-empty string.');
  }
}

export class SettingsRepo {
  readonly #get: Database.Statement<[string], string>;
  readonly #set: Database.Statement<[string, string]>;
  readonly #delete: Database.Statement<[string]>;
  readonly #keys: Database.Statement<[], string>;

  constructor(db: Database.Database) {
    this.#get = db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck();
    this.#set = db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.#delete = db.prepare<[string]>('DELETE FROM settings WHERE key = ?');
    this.#keys = db.prepare<[], string>('SELECT key FROM settings ORDER BY key').pluck();
  }

  /**
   * The parsed value, or undefined when the key is not set. It is `unknown` on purpose: the caller checks
   * the shape, because a hand-edited file or an older build may have stored something else.
   */
  get(key: string): unknown {
    assertKey(key);
    const text = this.#get.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  }

  /** Stores any JSON-serializable value (null included); throws for values JSON cannot represent. */
  set(key: string, value: unknown): void {
    assertKey(key);
    const text: unknown = JSON.stringify(value);
    if (typeof text !== 'string') {
      throw new TypeError(`The value for setting ${JSON.stringify(key)} cannot be represented as JSON.`);
    }
    this.#set.run(key, text);
  }

  /** Returns false if the key was not set. */
  delete(key: string): boolean {
    assertKey(key);
    return this.#delete.run(key).changes > 0;
  }

  /** Every key that is set, sorted. */
  keys(): string[] {
    return this.#keys.all();
  }
}
