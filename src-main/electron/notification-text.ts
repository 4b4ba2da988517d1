// The text of the desktop notifications, which shows what other people wrote (a message, a group name,
// a shared file's name). Plain functions, no electron import, so unit tests can check them.
//
// On Linux, Electron hands the body to libnotify as is, and notification servers read it as markup
// (freedesktop notification spec: <b>, <i>, <u>, <a href>, <img src>): a peer could style the text, hide
// it behind a link to anywhere, or make the server load an image (local or remote, which tells the sender
// you are there). So the body is escaped there, as Signal-Desktop does; titles are never markup.

const BODY_CHARS = 200;

const MARKUP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** `text` made safe for a notification body on `platform`, cut to its first 200 characters. */
export function notificationBody(text: string, platform: NodeJS.Platform = process.platform): string {
  // Cut first: cutting after escaping could split an entity.
  const cut = [...text].slice(0, BODY_CHARS).join('');
  return platform === 'linux' ? cut.replace(/[&<>"']/g, (c) => MARKUP[c] as string) : cut;
}
