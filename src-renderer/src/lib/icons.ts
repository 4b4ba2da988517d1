// Line icons (24x24, stroked) as SVG path data, drawn by components/common/Icon.svelte.
const circle = (cx: number, cy: number, r: number): string => `M${cx - r} ${cy}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;
const rect = (x: number, y: number, w: number, h: number, r: number): string =>
  `M${x + r} ${y}h${w - 2 * r}a${r} ${r} 0 0 1 ${r} ${r}v${h - 2 * r}a${r} ${r} 0 0 1 ${-r} ${r}h${2 * r - w}a${r} ${r} 0 0 1 ${-r} ${-r}v${2 * r - h}a${r} ${r} 0 0 1 ${r} ${-r}z`;

export const ICONS = {
  peers: [circle(9, 8, 3.5), 'M2.5 20c.8-3.6 3.4-5.5 6.5-5.5s5.7 1.9 6.5 5.5', circle(17, 9, 2.5), 'M17 14.5c2.2 0 3.9 1.4 4.5 4'],
  chat: ['M5 4.5h14a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H10l-5 4v-4a2 2 0 0 1-2-2v-9a2 2 0 0 1 2-2z'],
  groups: [circle(12, 7.5, 3), circle(5, 10, 2.2), circle(19, 10, 2.2), 'M7 20c0-3 2.2-5 5-5s5 2 5 5', 'M1.5 19c.3-2.2 1.7-3.6 3.5-3.6', 'M22.5 19c-.3-2.2-1.7-3.6-3.5-3.6'],
  broadcast: [circle(12, 12, 2), 'M7.8 16.2a6 6 0 0 1 0-8.4', 'M16.2 7.8a6 6 0 0 1 0 8.4', 'M4.9 19.1a10 10 0 0 1 0-14.2', 'M19.1 4.9a10 10 0 0 1 0 14.2'],
  node: [rect(3, 4, 18, 7, 1.5), rect(3, 13, 18, 7, 1.5), 'M7 7.5h.01M7 16.5h.01'],
  settings: ['M4 6h9M19 6h1M4 12h3M13 12h7M4 18h11M21 18h-1', circle(16, 6, 2.2), circle(10, 12, 2.2), circle(18, 18, 2.2)],
  copy: [rect(8, 8, 12, 12, 2), 'M16 8V6a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h2'],
  send: ['M4 12l16-8-6 16-2.5-6.5z', 'M11.5 13.5L20 4'],
  trash: ['M4 7h16M10 11v6M14 11v6M6 7l1 12a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-12M9 7V4h6v3'],
  plus: ['M12 5v14M5 12h14'],
  link: ['M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1', 'M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1'],
  search: [circle(11, 11, 6.5), 'M20 20l-4.2-4.2'],
  check: ['M5 12.5l4.5 4.5L19 7.5'],
  checks: ['M2 12.5l4.5 4.5L16 7.5', 'M11.5 16.5l.5.5 9.5-9.5'],
  clock: [circle(12, 12, 8.5), 'M12 7.5V12l3 2'],
  pause: [circle(12, 12, 8.5), 'M10 9v6M14 9v6'],
  play: [circle(12, 12, 8.5), 'M10 8.5l5.5 3.5-5.5 3.5z'],
  alert: [circle(12, 12, 8.5), 'M12 7.5v5M12 16h.01'],
  stored: ['M3 13h5l1.5 3h5L16 13h5', 'M5.5 5h13l2.5 8v5a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1v-5z'],
  close: ['M6 6l12 12M18 6L6 18'],
  edit: ['M4 20h4L19 9l-4-4L4 16z', 'M13.5 6.5l4 4'],
  files: ['M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z', 'M14 3v5h5', 'M9 13h6M9 17h4'],
  erase: ['M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h4', 'M14 3v5h5v3', 'M15 15l5 5M20 15l-5 5'],
  upload: ['M12 16V4M7 9l5-5 5 5', 'M4 16v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3'],
  download: ['M12 4v12M7 11l5 5 5-5', 'M4 16v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3'],
  refresh: ['M19.5 12a7.5 7.5 0 1 1-2.2-5.3', 'M19.5 4.5v4h-4'],
  folder: ['M3 7a2 2 0 0 1 2-2h4.5l2 2.5H19a2 2 0 0 1 2 2V17a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z'],
  globe: [circle(12, 12, 9), 'M3 12h18', 'M12 3c2.5 2.5 3.5 5.5 3.5 9s-1 6.5-3.5 9c-2.5-2.5-3.5-5.5-3.5-9s1-6.5 3.5-9z'],
} as const satisfies Record<string, readonly string[]>;

export type IconName = keyof typeof ICONS;
