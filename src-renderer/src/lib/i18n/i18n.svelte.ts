// The UI language: follows the browser (navigator.languages) until the user picks one in Settings;
// the pick is kept in localStorage. `t` reads the current catalog, so templates re-render on a switch.
import { isSameDay } from '../format/format.js';
import { en, type MessageKey } from './en.js';
import { idReasonJa } from './id-reasons.js';
import { interpolate } from './interpolate.js';
import { ja } from './ja.js';

export type Locale = 'en' | 'ja';
export type LocaleChoice = Locale | 'auto';

export const LOCALES: readonly Locale[] = ['en', 'ja'];
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = { en: 'English', ja: '日本語' };
export const LOCALE_STORAGE_KEY = 'w2w.locale';

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The first of the browser's languages that we have, else English. */
export function systemLocale(languages: readonly string[]): Locale {
  for (const lang of languages) {
    const base = lang.toLowerCase().split('-')[0];
    if (base === 'ja' || base === 'en') return base;
  }
  return 'en';
}

function readChoice(storage: KeyValueStorage | null): LocaleChoice {
  try {
    const v = storage?.getItem(LOCALE_STORAGE_KEY);
    return v === 'en' || v === 'ja' ? v : 'auto';
  } catch {
    return 'auto';
  }
}

export class I18n {
  readonly system: Locale;
  choice = $state<LocaleChoice>('auto');
  readonly #storage: KeyValueStorage | null;

  constructor(opts: { storage: KeyValueStorage | null; languages: readonly string[] }) {
    this.#storage = opts.storage;
    this.system = systemLocale(opts.languages);
    this.choice = readChoice(opts.storage);
  }

  /** The language in use (reactive: it reads `choice`). */
  get locale(): Locale {
    return this.choice === 'auto' ? this.system : this.choice;
  }

  setChoice(choice: LocaleChoice): void {
    this.choice = choice;
    try {
      this.#storage?.setItem(LOCALE_STORAGE_KEY, choice);
    } catch {
      // Private mode or a full quota: the choice still holds for this page.
    }
  }

  t(key: MessageKey, params?: Readonly<Record<string, string | number>>): string {
    return interpolate((this.locale === 'ja' ? ja : en)[key], params);
  }

  /** parseId's reason in the current language. */
  idReason(reason: string): string {
    return this.locale === 'ja' ? idReasonJa(reason) : reason;
  }

  dateTime(ms: number): string {
    return new Intl.DateTimeFormat(this.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
  }

  time(ms: number): string {
    const sameDay = isSameDay(ms, Date.now());
    return new Intl.DateTimeFormat(this.locale, sameDay ? { timeStyle: 'short' } : { dateStyle: 'short', timeStyle: 'short' }).format(ms);
  }

  number(n: number): string {
    return new Intl.NumberFormat(this.locale).format(n);
  }
}
