// The XDG autostart entry that starts the app at login on Linux (login-item.ts writes it). Plain
// functions, no electron import, so unit tests can check the escaping.
//
// An Exec value is read in two passes (Desktop Entry spec, "The Exec key"): first as a string value,
// where "\\" means one backslash (and \n, \t, \r, \s are escapes), then split into arguments, where
// inside double quotes ", `, $ and \ need a backslash. '%' starts a field code and must be doubled.
// A path with any of these (an AppImage in "~/Apps/w2w 100%.AppImage") would otherwise start something
// else, or nothing.

/** One argument, quoted for the Exec key's second pass. */
function quoteArg(arg: string): string {
  return `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

/** The Exec key's value for these arguments (program first). */
export function execValue(args: readonly string[]): string {
  const quoted = args.map(quoteArg).join(' ');
  // The first pass (string escapes), applied last because it is undone first.
  return quoted.replace(/[\\\n\t\r%]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r', '%': '%%' })[c] as string);
}

/** The whole autostart file for a program started hidden in the tray. */
export function autostartEntry(args: readonly string[]): string {
  return ['[Desktop Entry]', 'Type=Application', 'Name=w2w', 'Comment=w2w node in the tray', `Exec=${execValue(args)}`, 'X-GNOME-Autostart-enabled=true', ''].join('\n');
}
