// SettingsRepo: JSON values keyed by name.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempStore, type TempStore } from './temp-store.js';

describe('SettingsRepo', () => {
  let t: TempStore;
  beforeEach(() => {
    t = openTempStore();
  });
  afterEach(() => {
    t.dispose();
  });

  it('returns undefined for an unset key', () => {
    expect(t.store.settings.get('nope')).toBeUndefined();
  });

  it('round-trips JSON values with their types, null included', () => {
    const s = t.store.settings;
    const values: Record<string, unknown> = { n: 42, s: 'text', b: false, z: null, o: { relays: ['wss://a'], port: 1 } };
    for (const [k, v] of Object.entries(values)) s.set(k, v);
    for (const [k, v] of Object.entries(values)) expect(s.get(k)).toEqual(v);
    expect(s.keys()).toEqual(['b', 'n', 'o', 's', 'z']);
  });

  it('overwrites on set and reports whether delete removed anything', () => {
    const s = t.store.settings;
    s.set('k', 1);
    s.set('k', 2);
    expect(s.get('k')).toBe(2);
    expect(s.delete('k')).toBe(true);
    expect(s.delete('k')).toBe(false);
    expect(s.get('k')).toBeUndefined();
  });

  it('rejects values JSON cannot hold and empty keys', () => {
    expect(() => t.store.settings.set('k', undefined)).toThrow('cannot be represented as JSON');
    expect(() => t.store.settings.set('k', () => 1)).toThrow('cannot be represented as JSON');
    expect(() => t.store.settings.set('', 1)).toThrow('A settings key must be a non-empty string.');
  });
});
