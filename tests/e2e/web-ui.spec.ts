// The web UI end to end: two real nodes (`w2w node --ui` processes), linked through the UI, each opened
// in its own browser context. Alice and Bob add each other, chat both ways with delivery status, use a
// group and a broadcast, switch to Japanese and back, and reload without losing history. Alice shares a
// file by a real drop event, Bob fetches it with a visible progress bar and saves it (again after a
// reload, from Downloads), and Alice's remote
// delete removes Bob's copy with his signed status shown live and after a reload. Screenshots
// of every view go to test-results/screenshots/ and, when the run gets that far, to docs/screenshots/.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { NodeProcess } from './helpers/node-process.js';
import { CliProcess, runCli } from './helpers/cli-process.js';

const SHOTS = path.resolve('test-results/screenshots');
const DOCS_SHOTS = path.resolve('docs/screenshots');

let tmp: string;
let alice: NodeProcess;
let bob: NodeProcess;
let aliceCtx: BrowserContext;
let bobCtx: BrowserContext;
let a: Page;
let b: Page;
const taken: string[] = [];
const SHARED_NAME = 'field-notes.bin';
// Several MiB, so the fetch reports progress more than once on the way.
const SHARED_SIZE = 8 * 1024 * 1024;

/** Deterministic bytes (xorshift32), built the same way in the page and here. */
function fillBytes(size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = 0x9e3779b9;
  for (let i = 0; i < size; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out[i] = x & 0xff;
  }
  return out;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const pageErrors: string[] = [];

async function shot(page: Page, name: string): Promise<void> {
  // Notices ("Added Bob") would cover the view: dismiss them, and let the last event settle.
  // A notice may also go away on its own meanwhile (its timer): then there is nothing left to click.
  const dismiss = page.getByRole('button', { name: /^(Dismiss|閉じる)$/ });
  for (let i = 0; i < 10 && (await dismiss.count()) > 0; i++) await dismiss.first().click({ timeout: 2000 }).catch(() => undefined);
  await page.waitForTimeout(150);
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  taken.push(file);
}

async function openUi(browser: Browser, url: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-US' });
  const page = await ctx.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
  await page.goto(url);
  // The token was traded for a cookie and stripped from the address.
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/(#.*)?$/);
  await expect(page.getByText('Connected')).toBeVisible();
  return { ctx, page };
}

const nav = (page: Page, name: RegExp): ReturnType<Page['getByRole']> =>
  page.getByRole('navigation', { name: /^(Main|メイン)$/ }).getByRole('link', { name });

test.describe.serial('web UI with two linked nodes', () => {
  test.beforeAll(async ({ browser }) => {
    fs.rmSync(SHOTS, { recursive: true, force: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-e2e-'));
    [alice, bob] = await Promise.all([NodeProcess.start(path.join(tmp, 'alice')), NodeProcess.start(path.join(tmp, 'bob'))]);
    ({ ctx: aliceCtx, page: a } = await openUi(browser, alice.info.uiUrl));
    ({ ctx: bobCtx, page: b } = await openUi(browser, bob.info.uiUrl));
  });

  test.afterAll(async () => {
    await aliceCtx?.close();
    await bobCtx?.close();
    await Promise.all([alice?.stop(), bob?.stop()]);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the UI needs its token: a visit without it gets 401', async ({ browser }) => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const origin = new URL(alice.info.uiUrl).origin;
    const res = await page.goto(`${origin}/`);
    expect(res?.status()).toBe(401);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect((await page.goto(`${origin}/?token=${'0'.repeat(64)}`))?.status()).toBe(403);
    await ctx.close();
  });

  test('Bob links his node to Alice’s relay from the Node view', async () => {
    await nav(b, /^Node/).click();
    await expect(b.getByRole('heading', { name: 'Node', level: 1 })).toBeFocused();
    await expect(b.getByTestId('relay-url')).toHaveText(bob.info.relayUrl);
    await b.getByLabel('Relay URL').fill(`${alice.info.relayUrl}#${alice.info.id}`);
    await b.getByRole('button', { name: 'Add link' }).click();
    await expect(b.getByTestId('links').locator('[data-up=true]')).toHaveCount(1);
    // Alice's side shows the accepted link too.
    await nav(a, /^Node/).click();
    await expect(a.getByTestId('links').locator('[data-up=true]')).toHaveCount(1);
    await shot(b, 'node');
  });

  test('they add each other: by invite link, and by ID after a typo is caught', async () => {
    await nav(a, /^Peers/).click();
    await expect(a.getByTestId('my-id')).toHaveText(alice.info.id);
    await a.getByLabel('ID or invite link').fill(`w2w://${bob.info.id}`);
    await a.getByLabel('Nickname').fill('Bob');
    await a.getByRole('button', { name: 'Add peer' }).click();
    await expect(a.getByTestId('peer-list')).toContainText('Bob');
    // Bob's client is registered at his own relay: Alice's node sees him online over the link.
    await expect(a.getByTestId('peer-list').locator(`[data-peer="${bob.info.id}"]`)).toContainText('Online');

    await nav(b, /^Peers/).click();
    const idField = b.getByLabel('ID or invite link');
    await idField.fill(alice.info.id.slice(0, -1));
    await b.getByRole('button', { name: 'Add peer' }).click();
    await expect(b.getByRole('alert')).toHaveText('Not a valid ID: an ID is 62 characters, this one has 61');
    await expect(idField).toHaveAttribute('aria-invalid', 'true');
    await shot(b, 'peers-invalid-id');
    await idField.fill(alice.info.id);
    await b.getByLabel('Nickname').fill('Alice');
    await b.getByRole('button', { name: 'Add peer' }).click();
    await expect(b.getByTestId('peer-list')).toContainText('Alice');
    await expect(idField).toHaveValue('');
    await shot(a, 'peers');
  });

  test('they chat both ways and see delivery status', async () => {
    await a.getByTestId('peer-list').getByRole('link', { name: 'Chat' }).click();
    const aliceBox = a.getByLabel('Message to Bob');
    await aliceBox.fill('Hello Bob! こんにちは');
    await aliceBox.press('Enter');
    const sent = a.locator('li.msg[data-direction=out]', { hasText: 'Hello Bob!' });
    await expect(sent.locator('[data-status=delivered]')).toBeVisible();

    // Bob is elsewhere: the Chat link counts the unread message.
    await expect(nav(b, /^Chat/)).toContainText('1');
    await nav(b, /^Chat/).click();
    await b.locator(`a.conv[data-peer="${alice.info.id}"]`).click();
    await expect(b.locator('li.msg[data-direction=in]', { hasText: 'Hello Bob! こんにちは' })).toBeVisible();
    await expect(nav(b, /^Chat/)).not.toContainText('1');
    const bobBox = b.getByLabel('Message to Alice');
    await bobBox.fill('Hi Alice, got it.');
    await b.getByRole('button', { name: 'Send' }).click();
    await expect(b.locator('li.msg[data-direction=out]', { hasText: 'Hi Alice' }).locator('[data-status=delivered]')).toBeVisible();
    await expect(a.locator('li.msg[data-direction=in]', { hasText: 'Hi Alice, got it.' })).toBeVisible();
    await shot(a, 'chat');
  });

  test('Alice creates a group, adds Bob, and messages it; Bob reads it on his node', async () => {
    await nav(a, /^Groups/).click();
    await a.getByLabel('Group name').fill('team');
    await a.getByRole('button', { name: 'Create group' }).click();
    await expect(a.getByRole('heading', { name: 'team', level: 2 })).toBeVisible();
    await a.getByLabel('Peer or ID').fill(bob.info.id);
    await a.getByRole('button', { name: 'Add member' }).click();
    await expect(a.locator(`[data-member="${bob.info.id}"]`)).toContainText('Bob');
    const box = a.getByLabel('Message to the group team');
    await box.fill('Stand-up in five minutes');
    await box.press('Enter');
    await expect(a.locator('li.msg[data-direction=out]', { hasText: 'Stand-up' }).locator('[data-status=delivered]')).toBeVisible();

    await nav(b, /^Groups/).click();
    await expect(nav(b, /^Groups/)).toContainText('1');
    await b.goto(`${new URL(bob.info.uiUrl).origin}/#/groups/team`);
    await expect(b.locator('li.msg[data-direction=in]', { hasText: 'Stand-up in five minutes' })).toContainText('Alice');
    // The group lives on Alice's relay: Bob's node lists it under "On other relays", read-only.
    await expect(b.getByText('This group is kept by another relay.', { exact: false })).toBeVisible();
    await shot(a, 'groups');
    await shot(b, 'groups-remote');
  });

  test('Alice broadcasts to everyone', async () => {
    await nav(b, /^Broadcast/).click();
    await nav(a, /^Broadcast/).click();
    const box = a.getByLabel('Message to everyone');
    await box.fill('Relay maintenance tonight at 22:00');
    await a.getByRole('button', { name: 'Send' }).click();
    await expect(a.locator('li.msg[data-direction=out]', { hasText: 'Relay maintenance' })).toBeVisible();
    await expect(b.locator('li.msg[data-direction=in]', { hasText: 'Relay maintenance tonight at 22:00' })).toContainText('Alice');
    await shot(b, 'broadcast');
  });

  test('the Node view shows traffic and finds the route to Bob', async () => {
    await nav(a, /^Node/).click();
    await a.getByLabel('ID to look up').fill(bob.info.id);
    await a.getByRole('button', { name: 'Look up' }).click();
    await expect(a.locator('[data-route-kind=remote]')).toContainText('Reached over relay links; 1 on the path');
    await a.locator('[data-route-kind=remote]').scrollIntoViewIfNeeded();
    await shot(a, 'node-route');
  });

  test('language: Japanese and back, kept across a reload', async () => {
    await nav(a, /^Settings/).click();
    await a.getByLabel('日本語', { exact: true }).check();
    await expect(nav(a, /^ピア/)).toBeVisible();
    await expect(a.locator('html')).toHaveAttribute('lang', 'ja');
    await shot(a, 'settings-ja');
    await nav(a, /^チャット/).click();
    await a.locator(`a.conv[data-peer="${bob.info.id}"]`).click();
    await expect(a.locator('[data-status=delivered]').first()).toContainText('配達済み');
    await shot(a, 'chat-ja');
    await a.reload();
    await expect(nav(a, /^ピア/)).toBeVisible();
    await nav(a, /^設定/).click();
    await a.getByLabel('English', { exact: true }).check();
    await expect(nav(a, /^Peers/)).toBeVisible();
    await expect(a.locator('html')).toHaveAttribute('lang', 'en');
  });

  test('a reload keeps the conversation and its statuses', async () => {
    await a.goto(`${new URL(alice.info.uiUrl).origin}/#/chat/${bob.info.id}`);
    await expect(a.getByText('Connected')).toBeVisible();
    await expect(a.locator('li.msg[data-direction=out]', { hasText: 'Hello Bob!' }).locator('[data-status=delivered]')).toBeVisible();
    await expect(a.locator('li.msg[data-direction=in]', { hasText: 'Hi Alice, got it.' })).toBeVisible();
  });

  test('usable at 1024×640', async () => {
    await a.setViewportSize({ width: 1024, height: 640 });
    await shot(a, 'chat-1024');
    await nav(a, /^Peers/).click();
    await shot(a, 'peers-1024');
    await nav(a, /^Groups/).click();
    await a.getByRole('link', { name: /team/ }).click();
    await shot(a, 'groups-1024');
    // Keyboard: from the top of a fresh page, Tab reaches the skip link, then the navigation, with a
    // visible focus ring.
    await a.reload();
    await expect(a.getByText('Connected')).toBeVisible();
    await a.keyboard.press('Tab');
    await expect(a.getByRole('link', { name: 'Skip to content' })).toBeFocused();
    await a.keyboard.press('Tab');
    await expect(nav(a, /^Peers/)).toBeFocused();
    const outline = await nav(a, /^Peers/).evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).toBe('solid');
  });

  test('follows the system’s dark mode', async () => {
    await a.setViewportSize({ width: 1280, height: 720 });
    await a.emulateMedia({ colorScheme: 'dark' });
    await a.goto(`${new URL(alice.info.uiUrl).origin}/#/chat/${bob.info.id}`);
    await expect(a.locator('li.msg[data-direction=in]', { hasText: 'Hi Alice' })).toBeVisible();
    expect(await a.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe('rgb(11, 17, 32)');
    await shot(a, 'chat-dark');
    await a.emulateMedia({ colorScheme: 'light' });
  });

  test('Alice shares a file by dropping it on the page; Bob fetches it with progress and saves it', async () => {
    await nav(a, /^Shared data/).click();
    await expect(a.getByRole('heading', { name: 'Shared data', level: 1 })).toBeFocused();
    // A file dropped beside the zone is ignored (the browser would otherwise open it in place of the UI).
    const strayPrevented = await a.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['x'], 'stray.txt'));
      return !document.querySelector('h1')?.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
    });
    expect(strayPrevented).toBe(true);
    await expect(a.getByTestId('picked-file')).toHaveCount(0);
    // A real drop: a File built in the page, carried by a DataTransfer through dragenter, dragover, drop.
    await a.getByTestId('drop-zone').evaluate(
      (zone, { size, name }) => {
        // fillBytes again (the page cannot eval code: its CSP forbids it).
        const bytes = new Uint8Array(size);
        let x = 0x9e3779b9;
        for (let i = 0; i < size; i++) {
          x = (x ^ (x << 13)) >>> 0;
          x = (x ^ (x >>> 17)) >>> 0;
          x = (x ^ (x << 5)) >>> 0;
          bytes[i] = x & 0xff;
        }
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name, { type: 'application/octet-stream' }));
        for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
      },
      { size: SHARED_SIZE, name: SHARED_NAME },
    );
    await expect(a.getByTestId('picked-file')).toContainText(SHARED_NAME);
    await expect(a.getByLabel('Anyone')).toBeChecked();
    await a.getByRole('button', { name: 'Share', exact: true }).click();
    const row = a.getByTestId('my-files').locator('li.file', { hasText: SHARED_NAME });
    await expect(row.locator('[data-state=serving]')).toHaveText('Serving');
    await expect(row).toContainText('8.0 MiB');
    await expect(row).toContainText('Public');
    await expect(row.getByTestId('fetchers')).toHaveText('0');
    await shot(a, 'shared');

    await nav(b, /^Shared data/).click();
    const decl = b.getByTestId('declarations').locator('li.decl', { hasText: SHARED_NAME });
    // The declaration reaches Bob's relay over the link: refresh until it is listed.
    await expect(async () => {
      await b.getByRole('button', { name: 'Refresh' }).click();
      await expect(decl).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 15_000 });
    await expect(decl).toContainText('Alice');
    // Record every state of the progress bar the page shows, however quickly the fetch goes.
    await b.evaluate(() => {
      const seen: { value: number; text: string }[] = [];
      (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector<HTMLProgressElement>('[data-testid=transfer][data-phase=fetching] progress');
        if (bar) seen.push({ value: bar.value, text: bar.parentElement?.textContent ?? '' });
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await decl.getByRole('button', { name: `Fetch ${SHARED_NAME}` }).click();
    const save = decl.getByRole('link', { name: `Save ${SHARED_NAME}` });
    await expect(save).toBeVisible();
    const seen = await b.evaluate(() => (window as unknown as { progressSeen: { value: number; text: string }[] }).progressSeen);
    expect(seen.some((s) => s.value > 0 && s.value < 100 && /of 8\.0 MiB/.test(s.text) && /\/s/.test(s.text))).toBe(true);
    await shot(b, 'shared-fetched');
    const [download] = await Promise.all([b.waitForEvent('download'), save.click()]);
    expect(download.suggestedFilename()).toBe(SHARED_NAME);
    expect(sha256(fs.readFileSync(await download.path()))).toBe(sha256(fillBytes(SHARED_SIZE)));
    expect(fs.existsSync(path.join(tmp, 'bob', 'downloads', SHARED_NAME))).toBe(true);

    // After a reload the page has forgotten the fetch, but the node has not: Downloads lists it (and
    // the declaration row offers it again), with the same bytes to save.
    await b.reload();
    await expect(b.getByText('Connected')).toBeVisible();
    const dl = b.getByTestId('downloads').locator('li.download', { hasText: SHARED_NAME });
    await expect(dl).toHaveAttribute('data-state', 'complete');
    await expect(dl).toContainText('8.0 MiB');
    await expect(dl).toContainText('Alice');
    await expect(decl.getByRole('link', { name: `Save ${SHARED_NAME}` })).toBeVisible();
    await shot(b, 'shared-downloads');
    const [again] = await Promise.all([b.waitForEvent('download'), dl.getByRole('link', { name: `Save ${SHARED_NAME}` }).click()]);
    expect(sha256(fs.readFileSync(await again.path()))).toBe(sha256(fillBytes(SHARED_SIZE)));
  });

  test('Alice asks for the remote delete; Bob’s status turns to deleted, and his copy is gone', async () => {
    await nav(a, /^Remote delete/).click();
    await a.getByRole('button', { name: `Request delete of ${SHARED_NAME}` }).click();
    const yes = a.getByRole('button', { name: 'Yes, delete the copies' });
    await expect(yes).toBeFocused();
    await yes.press('Enter');
    const card = a.getByTestId('delete-requests').locator(`article[data-hash]`, { hasText: SHARED_NAME });
    await expect(card.locator(`[data-holder="${bob.info.id}"] [data-status=deleted]`)).toHaveText('Deleted');
    await expect(card).toContainText('1 of 1 deleted');
    await expect.poll(() => fs.existsSync(path.join(tmp, 'bob', 'downloads', SHARED_NAME))).toBe(false);
    // Bob's page learns it too: nothing left to save.
    const bobRow = b.getByTestId('declarations').locator('li.decl', { hasText: SHARED_NAME });
    await expect(bobRow.getByTestId('deleted-by-owner')).toHaveText('Deleted at its owner’s request: your copy is gone.');
    await expect(bobRow.getByRole('link', { name: `Save ${SHARED_NAME}` })).toHaveCount(0);
    // …and its Downloads list drops the copy, which the node forgot with the file.
    await expect(b.getByTestId('downloads').locator('li.download', { hasText: SHARED_NAME })).toHaveCount(0);
    await shot(a, 'remote-delete');
    // The file is no longer shared by Alice, and after a reload the request and its answers remain.
    await a.reload();
    await expect(a.getByText('Connected')).toBeVisible();
    await expect(a.getByTestId('delete-requests').locator(`[data-holder="${bob.info.id}"] [data-status=deleted]`)).toBeVisible();
    await expect(a.getByTestId('delete-requests')).toContainText(SHARED_NAME);
    await nav(a, /^Shared data/).click();
    await expect(a.getByText('You share no files yet.')).toBeVisible();
  });

  test('keyboard: pick a file with the chooser and share it with chosen peers, at 1024×640 and in Japanese', async () => {
    await a.setViewportSize({ width: 1024, height: 640 });
    await nav(a, /^Shared data/).click();
    const pick = a.getByRole('button', { name: 'Choose a file…' });
    await pick.focus();
    const [chooser] = await Promise.all([a.waitForEvent('filechooser'), pick.press('Enter')]);
    await chooser.setFiles({ name: '議事録.txt', mimeType: 'text/plain', buffer: Buffer.from('会議のメモ\n') });
    await expect(a.getByTestId('picked-file')).toContainText('議事録.txt');
    await a.getByLabel('Chosen peers').check();
    await a.getByLabel('Bob', { exact: true }).check();
    await a.getByRole('button', { name: 'Share', exact: true }).press('Enter');
    const row = a.getByTestId('my-files').locator('li.file', { hasText: '議事録.txt' });
    await expect(row.locator('[data-state=serving]')).toBeVisible();
    await expect(row).toContainText('Chosen peers');
    await shot(a, 'shared-1024');
    await nav(a, /^Remote delete/).click();
    await shot(a, 'remote-delete-1024');
    await nav(a, /^Settings/).click();
    await a.getByLabel('日本語', { exact: true }).check();
    await nav(a, /^共有データ/).click();
    await expect(a.getByRole('heading', { name: '自分の共有ファイル' })).toBeVisible();
    await nav(b, /^Shared data/).click();
    await shot(a, 'shared-ja');
    await nav(a, /^リモート削除/).click();
    await expect(a.getByTestId('delete-requests').locator('[data-status=deleted]').first()).toHaveText('削除済み');
    await nav(a, /^設定/).click();
    await a.getByLabel('English', { exact: true }).check();
    await a.setViewportSize({ width: 1280, height: 720 });
    await b.emulateMedia({ colorScheme: 'dark' });
    await b.getByRole('button', { name: 'Refresh' }).click();
    await expect(b.getByTestId('declarations').locator('li.decl', { hasText: '議事録.txt' })).toBeVisible();
    await shot(b, 'shared-dark');
    await b.emulateMedia({ colorScheme: 'light' });
  });

  test('the Node view shows per-peer relay usage; pausing closes others, refuses them, and resuming lets them back', async () => {
    // Carol uses Alice's relay from the CLI: a message to Alice, then she keeps listening.
    const carolDir = path.join(tmp, 'carol');
    const carolId = (await runCli(['id', '--data', carolDir])).out.trim();
    const sent = await runCli(['send', '--relay', alice.info.relayUrl, '--data', carolDir, '--to', alice.info.id, 'hello through your relay']);
    expect(sent.code, sent.err).toBe(0);
    let carol = CliProcess.start(['listen', '--relay', alice.info.relayUrl, '--data', carolDir]);
    try {
      await nav(a, /^Node/).click();
      const row = a.getByTestId('usage').locator(`[data-peer="${carolId}"]`);
      await expect(row).toContainText('Online');
      await expect(row.getByTestId('usage-in').locator('.num')).toHaveText(/^[1-9]\d*$/);
      await a.getByTestId('usage').scrollIntoViewIfNeeded();
      await shot(a, 'node-usage');

      await a.getByTestId('relaying-switch').click();
      await expect(a.getByTestId('relaying-state')).toHaveAttribute('data-paused', 'true');
      expect(await carol.exited).toBe(1);
      expect(carol.err).toContain('4006');
      await expect(row).toContainText('Offline');
      const refused = await runCli(['send', '--relay', alice.info.relayUrl, '--data', carolDir, '--to', alice.info.id, 'let me in']);
      expect(refused.err).toContain('RELAYING_PAUSED (210)');
      // Alice's own node keeps working while paused: Bob still gets her message.
      await a.goto(`${new URL(alice.info.uiUrl).origin}/#/chat/${bob.info.id}`);
      await a.getByLabel('Message to Bob').fill('Still here while relaying is paused');
      await a.getByLabel('Message to Bob').press('Enter');
      await expect(a.locator('li.msg[data-direction=out]', { hasText: 'Still here while' }).locator('[data-status=delivered]')).toBeVisible();

      await nav(a, /^Settings/).click();
      await expect(a.getByTestId('settings-relaying-state')).toContainText('Paused');
      await shot(a, 'settings-paused');
      await a.getByTestId('relaying-switch').click();
      await expect(a.getByTestId('settings-relaying-state')).not.toContainText('Paused');
      carol = CliProcess.start(['listen', '--relay', alice.info.relayUrl, '--data', carolDir]);
      await nav(a, /^Node/).click();
      await expect(row).toContainText('Online');
    } finally {
      await carol.stop();
    }
  });

  test('Settings: only friends may relay; Bob leaves Alice’s relay and joins again; Alice trusts Bob’s relay', async () => {
    const carolDir = path.join(tmp, 'carol');
    await nav(a, /^Settings/).click();
    const policy = (p: string): ReturnType<Page['locator']> => a.locator(`input[name=relay-policy][data-policy=${p}]`);
    await expect(policy('friends')).toHaveAccessibleName(/^My friends/);
    await policy('friends').check();
    await expect(policy('friends')).toBeChecked();
    const refused = await runCli(['send', '--relay', alice.info.relayUrl, '--data', carolDir, '--to', alice.info.id, 'not a friend']);
    expect(refused.err).toContain('RELAY_REFUSED (209)');
    await policy('anyone').check();
    await expect(policy('anyone')).toBeChecked();

    await a.getByLabel('Relay ID to trust').fill(bob.info.id);
    await a.getByRole('button', { name: 'Trust', exact: true }).click();
    await expect(a.getByTestId('trusted')).toContainText(bob.info.id);
    await expect(a.getByTestId('listen-now')).toHaveText(new URL(alice.info.relayUrl).host);
    await expect(a.getByTestId('listen-flag')).toContainText('--port');
    await shot(a, 'settings');
    await a.setViewportSize({ width: 1024, height: 640 });
    await a.getByTestId('listen-flag').scrollIntoViewIfNeeded();
    await shot(a, 'settings-1024');
    await a.setViewportSize({ width: 1280, height: 720 });

    await nav(b, /^Settings/).click();
    const saved = b.getByTestId('saved-links');
    await expect(saved).toContainText(alice.info.relayUrl);
    await saved.getByRole('button', { name: `Stop joining ${alice.info.relayUrl}` }).click();
    await expect(b.getByText('No relays to join.')).toBeVisible();
    await nav(a, /^Node/).click();
    await expect(a.getByTestId('links').locator('[data-up=true]')).toHaveCount(0);
    await b.getByLabel('Relay URL').fill(`${alice.info.relayUrl}#${alice.info.id}`);
    await b.getByRole('button', { name: 'Join', exact: true }).click();
    await expect(b.getByTestId('saved-links')).toContainText(alice.info.relayUrl);
    await expect(a.getByTestId('links').locator('[data-up=true]')).toHaveCount(1);
  });

  test('a node started with --relay-for friends --paused says so in Settings; resuming there ends the override', async ({ browser }) => {
    const dave = await NodeProcess.start(path.join(tmp, 'dave'), ['--relay-for', 'friends', '--paused', '--max-upload', '64']);
    try {
      expect(dave.lines).toContain('relaying for: friends (--relay-for, this run only), paused (--paused, this run only)');
      const { ctx, page } = await openUi(browser, dave.info.uiUrl);
      await nav(page, /^Settings/).click();
      await expect(page.locator('input[name=relay-policy][value=friends]')).toBeChecked();
      await expect(page.getByTestId('relaying-flag')).toContainText('--relay-for');
      await expect(page.getByTestId('relaying-flag')).toContainText('Anyone');
      await expect(page.getByTestId('paused-flag')).toContainText('--paused');
      await shot(page, 'settings-flags');
      await page.getByTestId('relaying-switch').click();
      await expect(page.getByTestId('paused-flag')).toHaveCount(0);
      await expect(page.getByTestId('relaying-flag')).toBeVisible();
      await page.locator('input[name=relay-policy][data-policy=self]').check();
      await expect(page.getByTestId('relaying-flag')).toHaveCount(0);
      await ctx.close();
    } finally {
      await dave.stop();
    }
  });

  test('no page errors, and the screenshots are copied to docs/screenshots', () => {
    expect(pageErrors).toEqual([]);
    fs.mkdirSync(DOCS_SHOTS, { recursive: true });
    for (const f of fs.readdirSync(DOCS_SHOTS)) if (f.endsWith('.png')) fs.rmSync(path.join(DOCS_SHOTS, f));
    for (const file of taken) fs.copyFileSync(file, path.join(DOCS_SHOTS, path.basename(file)));
    expect(fs.readdirSync(DOCS_SHOTS).filter((f) => f.endsWith('.png')).sort()).toEqual(taken.map((f) => path.basename(f)).sort());
  });
});
