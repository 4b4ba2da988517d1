// Types for scripts/start-mode.mjs, so TypeScript tests can import it.
export declare function electronBinary(root: string): string | null;
export declare function startMode(o: {
  binary: string | null;
  platform: string;
  env: Record<string, string | undefined>;
  args: string[];
}): { mode: 'electron'; binary: string } | { mode: 'headless'; reason: string | null };
