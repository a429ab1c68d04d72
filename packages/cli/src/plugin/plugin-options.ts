import { z } from 'zod';

/** Every inferred project carries this tag: `nx run-many -t daily --projects=tag:rebase-fork`. */
export const FORK_TAG = 'rebase-fork';

/** The file names the plugin asks Nx for; `configGlob` narrows them further. */
export const CONFIG_FILE_PATTERN = '**/rebase-daily*.json';

/** Options of `@rebase-daily/cli/plugin` in nx.json's `plugins`. */
export const ForkPluginOptionsSchema = z
  .object({
    configGlob: z
      .string()
      .min(1)
      .default('**/rebase-daily.json')
      .describe('Which config files become projects (workspace-relative glob over files named rebase-daily*.json)'),
    targetPrefix: z
      .string()
      .regex(/^[A-Za-z0-9._-]*$/, 'may hold only letters, digits, . _ -')
      .default('')
      .describe('Prefix of every inferred target name: "rd-" gives rd-verify … rd-daily'),
  })
  .strict();
export type ForkPluginOptions = z.output<typeof ForkPluginOptionsSchema>;

/** Parse the plugin options; a bad option is one line naming the field and the fix (Nx shows it). */
export function parseForkPluginOptions(raw: unknown): ForkPluginOptions {
  const parsed = ForkPluginOptionsSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
  throw new Error(`E_USAGE: invalid options of @rebase-daily/cli/plugin in nx.json: ${problems}; fix them (fields: configGlob, targetPrefix)`);
}

/** JSON Schema of the plugin options (checked in as packages/cli/plugin.schema.json). */
export function forkPluginOptionsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ForkPluginOptionsSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
}
