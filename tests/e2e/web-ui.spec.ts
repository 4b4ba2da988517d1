// The web UI end to end: two real nodes (`w2w node --ui` processes), linked through the UI, each opened
// in its own browser context. Alice and Bob add each other, chat both ways with delivery status, use a
// group and a broadcast, switch to Japanese and back, and reload without losing history. Screenshots
// of every view go to test-results/screenshots/ and, when the run gets that far, to docs/screenshots/.
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
const pageErrors: string[] = [];

async function shot(page: Page, name: string): Promise<void> {
  // Notices ("Added Bob") would cover the view: dismiss them, and let the last event settle.
  for (const button of await page.getByRole('button', { name: /^(Dismiss|閉じる)$/ }).all()) await button.click();
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

  test('no page errors, and the screenshots are copied to docs/screenshots', () => {
    expect(pageErrors).toEqual([]);
    fs.mkdirSync(DOCS_SHOTS, { recursive: true });
    for (const f of fs.readdirSync(DOCS_SHOTS)) if (f.endsWith('.png')) fs.rmSync(path.join(DOCS_SHOTS, f));
    for (const file of taken) fs.copyFileSync(file, path.join(DOCS_SHOTS, path.basename(file)));
    expect(fs.readdirSync(DOCS_SHOTS).filter((f) => f.endsWith('.png')).sort()).toEqual(taken.map((f) => path.basename(f)).sort());
  });
});
