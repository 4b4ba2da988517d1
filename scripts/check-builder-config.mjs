#!/usr/bin/env node
// Validates electron-builder.yml offline, without packaging: electron-builder's own schema check plus the files it points at.
//
// Usage: node scripts/check-builder-config.mjs [config-file]   (default: electron-builder.yml)
// It uses the loader and validator electron-builder runs before a build (app-builder-lib's getConfig and
// validateConfiguration), so an unknown or misplaced key fails here exactly as it would at packaging time.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// app-builder-lib is electron-builder's dependency, not ours: resolve it from electron-builder's location.
const requireFromBuilder = createRequire(createRequire(import.meta.url).resolve('electron-builder/package.json'));
const { getConfig, validateConfiguration } = requireFromBuilder('app-builder-lib/out/util/config/config.js');
const { DebugLogger } = requireFromBuilder('builder-util/out/DebugLogger.js');

export const PROJECT_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Minimum icon edge each platform's packager accepts (mac builds its .icns from a 512px PNG). */
const MIN_ICON_SIZE = { mac: 512, win: 256, linux: 256 };

/** Loads a config file the way electron-builder does (merged with package.json's "build" key, files normalised). */
export async function loadBuilderConfig(configFile = 'electron-builder.yml', projectDir = PROJECT_DIR) {
  return getConfig(projectDir, configFile, null);
}

/** Width and height of a PNG file, or null when the file is not a PNG. */
export function pngSize(file) {
  const bytes = readFileSync(file);
  const signature = '89504e470d0a1a0a';
  if (bytes.length < 24 || bytes.subarray(0, 8).toString('hex') !== signature || bytes.toString('latin1', 12, 16) !== 'IHDR') {
    return null;
  }
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function iconProblems(config, projectDir) {
  const problems = [];
  const resources = resolve(projectDir, config.directories?.buildResources ?? 'build');
  if (!existsSync(resources)) problems.push(`directories.buildResources: ${resources} does not exist`);
  for (const [platform, minSize] of Object.entries(MIN_ICON_SIZE)) {
    const icon = config[platform]?.icon;
    if (icon == null) continue;
    const path = isAbsolute(icon) ? icon : resolve(projectDir, icon);
    if (!existsSync(path)) {
      problems.push(`${platform}.icon: ${icon} does not exist (run node scripts/make-icons.mjs)`);
    } else if (statSync(path).isDirectory()) {
      if (!existsSync(join(path, `${minSize}x${minSize}.png`))) problems.push(`${platform}.icon: ${icon} has no ${minSize}x${minSize}.png`);
    } else {
      const size = pngSize(path);
      if (size === null) problems.push(`${platform}.icon: ${icon} is not a PNG file`);
      else if (size.width < minSize || size.height < minSize) {
        problems.push(`${platform}.icon: ${icon} is ${size.width}x${size.height}, needs at least ${minSize}x${minSize}`);
      }
    }
  }
  return problems;
}

/**
 * Throws when electron-builder would reject `config` or when an icon it names is missing or too small.
 * The error message lists every problem found.
 */
export async function checkBuilderConfig(config, projectDir = PROJECT_DIR) {
  await validateConfiguration(config, new DebugLogger(false));
  const problems = iconProblems(config, projectDir);
  if (problems.length > 0) throw new Error(`electron-builder config: ${problems.join('; ')}`);
}

/**
 * Things that pass the schema but would stop a real packaging run later (the deb target reads them from
 * package.json). Reported, not fatal: they are release metadata, not build correctness.
 */
export function packagingWarnings(config, projectDir = PROJECT_DIR) {
  const pkg = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8'));
  const warnings = [];
  const targets = [config.linux?.target ?? []].flat().map((t) => (typeof t === 'string' ? t : t.target));
  if (targets.includes('deb')) {
    if (pkg.homepage == null && pkg.repository == null) warnings.push('the deb target needs "homepage" (or "repository") in package.json');
    if (config.linux?.maintainer == null && pkg.author?.email == null) {
      warnings.push('the deb target needs linux.maintainer in electron-builder.yml or "author": {"name", "email"} in package.json');
    }
  }
  return warnings;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const configFile = process.argv[2] ?? 'electron-builder.yml';
  try {
    const config = await loadBuilderConfig(configFile);
    await checkBuilderConfig(config);
    for (const warning of packagingWarnings(config)) process.stderr.write(`check-builder-config: warning: ${warning}\n`);
    process.stdout.write(`check-builder-config: ${configFile} is valid\n`);
  } catch (error) {
    process.stderr.write(`check-builder-config: ${configFile} is invalid:\n${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
