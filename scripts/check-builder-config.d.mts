// Types for scripts/check-builder-config.mjs, so TypeScript tests can import it.
import type { Configuration } from 'electron-builder';

export declare const PROJECT_DIR: string;
export declare function loadBuilderConfig(configFile?: string, projectDir?: string): Promise<Configuration>;
export declare function pngSize(file: string): { width: number; height: number } | null;
export declare function checkBuilderConfig(config: Configuration, projectDir?: string): Promise<void>;
export declare function packagingWarnings(config: Configuration, projectDir?: string): string[];
