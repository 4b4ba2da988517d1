// Makes text that others wrote (a peer's message, a group name, a relay's notice or error) safe to print
// on a terminal: control characters and bidi overrides become visible \uXXXX escapes, so a sender cannot
// start a new line that looks like another sender's message, rewrite the line with \r, or drive the
// terminal with escape sequences (title changes, cursor moves, hyperlinks, clearing the screen).
//
// Tab stays (harmless); everything else below U+0020, DEL and the C1 block U+0080–U+009F (which some
// terminals obey like ESC sequences), the line and paragraph separators, and the bidi embeddings and
// isolates U+202A–U+202E, U+2066–U+2069 (which reorder what the reader sees) are escaped.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
