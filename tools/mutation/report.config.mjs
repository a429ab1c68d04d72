import { mutationConfig } from './shared.mjs';

export default mutationConfig({
  pkg: 'report',
  mutate: ['packages/report/src/build-report.ts'],
});
