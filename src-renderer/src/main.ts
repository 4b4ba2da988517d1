// Renderer entry: mounts the root component into #app.
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

const target = document.getElementById('app');
if (target === null) {
  throw new Error('The renderer page has no #app element to mount into; check src-renderer/index.html.');
}

export default mount(App, {
  target,
  props: {
    name: 'w2w',
    tagline: 'WebSocket to WebSocket: reach people through relays you run yourselves.',
  },
});
