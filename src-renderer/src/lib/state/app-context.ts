// Hands the page's one AppState to every component through Svelte's context (set once by App.svelte).
import { getContext, setContext } from 'svelte';
import type { AppState } from './app.svelte.js';

const KEY = Symbol('w2w-app');

export function setApp(app: AppState): void {
  setContext(KEY, app);
}

/** The page's AppState (set by App.svelte). */
export function useApp(): AppState {
  const app = getContext<AppState | undefined>(KEY);
  if (!app) throw new Error('useApp() was called outside <App>: the AppState context is missing.');
  return app;
}

/** The context map that makes `app` the page's AppState, for rendering a component on its own (tests). */
export function appContext(app: AppState): Map<unknown, unknown> {
  return new Map([[KEY, app]]);
}
