// A file name safe to create in one directory on any OS: what a peer's declaration, a browser upload or
// a download request calls a file is only ever a label, never a path.

/** Longest name kept, in UTF-16 units (file systems allow 255 bytes; CJK needs up to 3 bytes a char). */
export const MAX_FILE_NAME_CHARS = 80;

// Separators, characters Windows forbids, and C0/C1 controls (incl. DEL).
// eslint-disable-next-line no-control-regex -- control characters are exactly what must go
const UNSAFE = /[/\\:*?"<>|\u0000-\u001f\u007f-\u009f]/g;
const RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;

/**
 * `name` with separators and control characters replaced, no leading dots or trailing dots/spaces,
 * at most MAX_FILE_NAME_CHARS long (keeping the extension), and never empty, "." or "..": "file" then.
 */
export function safeFileName(name: string): string {
  let n = name.normalize('NFC').replace(UNSAFE, '_').trim();
  n = n.replace(/^\.+/, '').replace(/[. ]+$/, '');
  if (n.length > MAX_FILE_NAME_CHARS) {
    const dot = n.lastIndexOf('.');
    const ext = dot > 0 && n.length - dot <= 16 ? n.slice(dot) : '';
    n = n.slice(0, MAX_FILE_NAME_CHARS - ext.length) + ext;
  }
  // Cutting may split a surrogate pair: drop a lone high surrogate left at the end of the stem.
  n = n.replace(/[\ud800-\udbff](?![\udc00-\udfff])/g, '');
  if (n === '' || RESERVED.test(n)) n = n === '' ? 'file' : `_${n}`;
  return n;
}

/** True when `name` is already what safeFileName makes of it (so it names one file in one directory). */
export function isSafeFileName(name: string): boolean {
  return name.length > 0 && safeFileName(name) === name;
}
