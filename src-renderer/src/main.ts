// Renderer entry: picks the transport (Electron IPC or the web bridge), builds the app state, mounts App.
import { mount } from 'svelte';
import App from './App.svelte';
import { pickTransport } from './lib/api/pick-transport.js';
import { I18n } from './lib/i18n/i18n.svelte.js';
import { AppState } from './lib/state/app.svelte.js';
import './app.css';

const target = document.getElementById('app');
if (target === null) {
  throw new Error('The renderer page has no #app element to mount into; check src-renderer/index.html.');
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const app = new AppState({
  transport: pickTransport(),
  storage: storage(),
  i18n: new I18n({ storage: storage(), languages: navigator.languages.length > 0 ? navigator.languages : [navigator.language] }),
  initialHash: location.hash,
  // replaceState for the first normalisation would lose nothing, but views are real history entries.
  setHash: (hash) => {
    if (location.hash !== hash) location.hash = hash;
  },
});
app.start();

export default mount(App, { target, props: { app } });
