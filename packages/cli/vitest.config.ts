import { mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.mts';

// Markdown imports are text, as tsup bundles them (`loader: { '.md': 'text' }`).
export default mergeConfig(packageTestConfig({ testTimeout: 120_000 }), {
  plugins: [
    {
      name: 'markdown-as-text',
      enforce: 'pre' as const,
      transform(code: string, id: string) {
        return id.endsWith('.md') ? { code: `export default ${JSON.stringify(code)};`, map: null } : null;
      },
    },
  ],
});
