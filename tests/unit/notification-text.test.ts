// Desktop notification bodies (src-main/electron/notification-text.ts, which imports no electron): what a
// peer wrote is shown as text, never read as notification markup on Linux.
import { describe, expect, it } from 'vitest';
import { notificationBody } from '../../src-main/electron/notification-text.js';

describe('notificationBody', () => {
  it('escapes markup on Linux, where notification servers would obey it', () => {
    expect(notificationBody('<a href="https://evil.example/">your bank</a> & <img src="file:///etc/passwd"/>', 'linux')).toBe(
      '&lt;a href=&quot;https://evil.example/&quot;&gt;your bank&lt;/a&gt; &amp; &lt;img src=&quot;file:///etc/passwd&quot;/&gt;',
    );
    expect(notificationBody("<b>it's</b>", 'linux')).toBe('&lt;b&gt;it&apos;s&lt;/b&gt;');
  });

  it('leaves the text as is where bodies are plain text', () => {
    for (const platform of ['darwin', 'win32'] as const) expect(notificationBody('<b>a & b</b>', platform)).toBe('<b>a & b</b>');
  });

  it('cuts to 200 characters before escaping, so no entity is split and no surrogate pair broken', () => {
    const long = `${'x'.repeat(199)}&tail`;
    expect(notificationBody(long, 'linux')).toBe(`${'x'.repeat(199)}&amp;`);
    const emoji = '🙂'.repeat(300);
    expect(notificationBody(emoji, 'darwin')).toBe('🙂'.repeat(200));
  });
});
