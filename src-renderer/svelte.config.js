// Svelte compiler options shared by the Vite build, svelte-check and eslint-plugin-svelte.
export default {
  compilerOptions: {
    // Svelte 5 runes everywhere: no legacy `export let` or `$:`.
    runes: true,
  },
};
