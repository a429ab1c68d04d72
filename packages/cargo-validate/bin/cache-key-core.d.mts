export declare const CACHE_KEY_VERSION: number;
export interface NormalizedValidateConfig {
  cwd: string;
  format: string[] | false | 'auto';
  test: string[];
  extraSteps: { name: string; command: string[]; timeoutSeconds: number | null }[];
  timeoutSeconds: number;
}
export declare function normalizeValidateConfig(raw: unknown): NormalizedValidateConfig;
export declare function stableStringify(value: unknown): string;
export declare function computeValidateCacheKey(input: { tree: string; validate: unknown; toolchain?: string | null }): string;
