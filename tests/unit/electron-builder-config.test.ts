// Checks electron-builder.yml offline with electron-builder's own validator, and the icons it points at.
import { copyFileSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Configuration } from 'electron-builder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR, checkBuilderConfig, loadBuilderConfig, pngSize } from '../../scripts/check-builder-config.mjs';

let config: Configuration;

beforeAll(async () => {
  config = await loadBuilderConfig();
});

describe('electron-builder.yml', () => {
  it('passes electron-builder validation', async () => {
    await expect(checkBuilderConfig(config)).resolves.toBeUndefined();
  });

  it('names the app and keeps native addons outside the asar', () => {
    expect(config.appId).toBe('info.w2w.desktop');
    expect(config.productName).toBe('w2w');
    expect(config.directories).toMatchObject({ output: 'release', buildResources: 'build' });
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['node_modules/better-sqlite3/**', 'node_modules/sodium-native/**', 'node_modules/bufferutil/**']),
    );
  });

  it('targets AppImage and deb on Linux, nsis on Windows, dmg on mac', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.linux?.category).toBe('Network');
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.mac?.category).toBe('public.app-category.social-networking');
  });

  it('rejects an unknown top-level key', async () => {
    await expect(checkBuilderConfig({ ...config, appID: 'typo' } as Configuration)).rejects.toThrow(/unknown property 'appID'/);
  });

  it('rejects an unknown key inside a platform section', async () => {
    const linux = { ...config.linux, categories: 'Network' };
    await expect(checkBuilderConfig({ ...config, linux } as Configuration)).rejects.toThrow(/configuration\.linux /);
  });
});

describe('icons', () => {
  it('ships a 512x512 build/icon.png and the Linux size set', () => {
    expect(pngSize(join(PROJECT_DIR, 'build/icon.png'))).toEqual({ width: 512, height: 512 });
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      expect(pngSize(join(PROJECT_DIR, `build/icons/${size}x${size}.png`))).toEqual({ width: size, height: size });
    }
  });

  describe('when the config points at a bad icon', () => {
    let dir: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'w2w-builder-'));
      mkdirSync(join(dir, 'build'));
      copyFileSync(join(PROJECT_DIR, 'build/icons/256x256.png'), join(dir, 'build/small.png'));
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('rejects a missing icon file', async () => {
      const mac = { ...config.mac, icon: 'build/missing.png' };
      await expect(checkBuilderConfig({ ...config, mac }, dir)).rejects.toThrow(/mac\.icon: build\/missing\.png does not exist/);
    });

    it('rejects a mac icon smaller than 512x512', async () => {
      const mac = { ...config.mac, icon: 'build/small.png' };
      await expect(checkBuilderConfig({ ...config, mac }, dir)).rejects.toThrow(/256x256, needs at least 512x512/);
    });
  });
});
