// The message catalogs (same keys, same placeholders, nothing empty) and the language choice.
import { describe, expect, it } from 'vitest';
import { parseId, idToText } from '../../../src-shared/ids.js';
import { en } from '../../../src-renderer/src/lib/i18n/en.js';
import { ja } from '../../../src-renderer/src/lib/i18n/ja.js';
import { idReasonJa } from '../../../src-renderer/src/lib/i18n/id-reasons.js';
import { interpolate } from '../../../src-renderer/src/lib/i18n/interpolate.js';
import { I18n, LOCALE_STORAGE_KEY, systemLocale, type KeyValueStorage } from '../../../src-renderer/src/lib/i18n/i18n.svelte.js';

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string).sort();

class MemoryStorage implements KeyValueStorage {
  readonly data = new Map<string, string>();
  getItem(k: string): string | null {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.data.set(k, v);
  }
}

describe('catalogs', () => {
  it('ja has exactly the keys of en, each non-empty and with the same placeholders', () => {
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      const jaText = ja[key as keyof typeof en];
      expect(text.trim(), key).not.toBe('');
      expect(jaText.trim(), key).not.toBe('');
      expect(placeholders(jaText), key).toEqual(placeholders(text));
    }
  });

  it('ja is really Japanese where en has words', () => {
    const same = Object.keys(en).filter((k) => en[k as keyof typeof en] === ja[k as keyof typeof en] && /[a-z]{4}/.test(en[k as keyof typeof en]));
    // Product names and URLs stay as they are.
    expect(same).toEqual(['node.links.add.urlPlaceholder']);
  });
});

describe('interpolate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(interpolate('Added {name}', { name: 'Bob' })).toBe('Added Bob');
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(interpolate('no params')).toBe('no params');
  });
});

describe('language choice', () => {
  it('follows the browser until one is picked', () => {
    expect(systemLocale(['ja-JP', 'en-US'])).toBe('ja');
    expect(systemLocale(['fr-FR', 'en-GB'])).toBe('en');
    expect(systemLocale(['de'])).toBe('en');
    expect(systemLocale([])).toBe('en');
    const i18n = new I18n({ storage: new MemoryStorage(), languages: ['ja'] });
    expect(i18n.choice).toBe('auto');
    expect(i18n.locale).toBe('ja');
    expect(i18n.t('nav.peers')).toBe('ピア');
  });

  it('switches, persists the pick in storage, and reads it back', () => {
    const storage = new MemoryStorage();
    const i18n = new I18n({ storage, languages: ['en-US'] });
    expect(i18n.t('nav.peers')).toBe('Peers');
    i18n.setChoice('ja');
    expect(i18n.locale).toBe('ja');
    expect(i18n.t('peers.add.added', { name: 'Bob' })).toBe('Bob を追加しました');
    expect(storage.getItem(LOCALE_STORAGE_KEY)).toBe('ja');
    expect(new I18n({ storage, languages: ['en-US'] }).locale).toBe('ja');
    i18n.setChoice('auto');
    expect(new I18n({ storage, languages: ['en-US'] }).locale).toBe('en');
  });

  it('survives storage that throws or holds junk', () => {
    const broken: KeyValueStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    const i18n = new I18n({ storage: broken, languages: ['en'] });
    i18n.setChoice('ja');
    expect(i18n.locale).toBe('ja');
    const junk = new MemoryStorage();
    junk.setItem(LOCALE_STORAGE_KEY, 'klingon');
    expect(new I18n({ storage: junk, languages: ['en'] }).choice).toBe('auto');
  });
});

describe('ID problems in Japanese', () => {
  it('translates every reason parseId gives', () => {
    const good = idToText(new Uint8Array(32).fill(7));
    const typo = good.slice(0, -1) + (good.endsWith('a') ? 'b' : 'a');
    const inputs = ['hello', good.slice(0, 20), `${good.slice(0, 10)}0${good.slice(11)}`, typo];
    const reasons = inputs.map((s) => {
      const r = parseId(s);
      if (r.ok) throw new Error(`${s} parsed`);
      return r.reason;
    });
    expect(new Set(reasons).size).toBe(4);
    for (const reason of reasons) {
      const ja = idReasonJa(reason);
      expect(ja, reason).not.toBe(reason);
      expect(ja).toMatch(/ID/);
    }
    expect(idReasonJa('something new')).toBe('something new');
    const i18n = new I18n({ storage: null, languages: ['en'] });
    expect(i18n.idReason(reasons[0] as string)).toBe(reasons[0]);
  });
});
