// Short notices at the corner of the screen ("Copied", an error of a background load), read out by
// screen readers through the region's aria-live.
export interface Toast {
  id: number;
  kind: 'info' | 'error';
  text: string;
}

export class ToastsState {
  items = $state<Toast[]>([]);
  #next = 1;
  readonly #setTimer: (fn: () => void, ms: number) => unknown;

  constructor(setTimer: (fn: () => void, ms: number) => unknown = (fn, ms) => setTimeout(fn, ms)) {
    this.#setTimer = setTimer;
  }

  push(kind: Toast['kind'], text: string, ms = kind === 'error' ? 8000 : 3500): void {
    const id = this.#next++;
    this.items = [...this.items.slice(-4), { id, kind, text }];
    this.#setTimer(() => this.dismiss(id), ms);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}
