// Which view is on screen, kept in the URL's hash (#/chat/ID) so a reload or Back returns to it.
export const VIEWS = ['peers', 'chat', 'groups', 'broadcast', 'shared', 'deletes', 'node', 'settings'] as const;
export type ViewName = (typeof VIEWS)[number];

export interface Route {
  view: ViewName;
  /** the peer ID of a chat, the name of a group, the content hash a remote delete is about */
  param: string | null;
}

export function parseHash(hash: string): Route {
  const [view, ...rest] = hash.replace(/^#\/?/, '').split('/');
  if (!(VIEWS as readonly string[]).includes(view ?? '')) return { view: 'peers', param: null };
  let param: string | null = null;
  if (rest.length > 0 && rest.join('/') !== '') {
    try {
      param = decodeURIComponent(rest.join('/'));
    } catch {
      param = null;
    }
  }
  return { view: view as ViewName, param };
}

export function routeHash(r: Route): string {
  return `#/${r.view}${r.param === null ? '' : `/${encodeURIComponent(r.param)}`}`;
}

export class NavState {
  view = $state<ViewName>('peers');
  param = $state<string | null>(null);
  /** false until the user moves to another view: only then does a view's heading take the focus */
  moved = false;
  readonly #setHash: (hash: string) => void;

  constructor(initialHash: string, setHash: (hash: string) => void) {
    this.#setHash = setHash;
    const r = parseHash(initialHash);
    this.view = r.view;
    this.param = r.param;
  }

  /** Shows the view a hash names (on hashchange: a nav link, Back, or go()). */
  follow(hash: string): void {
    const r = parseHash(hash);
    if (r.view !== this.view) this.moved = true;
    this.view = r.view;
    this.param = r.param;
  }

  go(view: ViewName, param: string | null = null): void {
    if (view !== this.view) this.moved = true;
    this.view = view;
    this.param = param;
    this.#setHash(routeHash({ view, param }));
  }
}
