import { packageTestConfig } from '../../vitest.shared.mts';

export default packageTestConfig({ testTimeout: 900_000 });
