import { packageTestConfig } from '../../vitest.shared.mts';

// Real cargo builds of the fixture workspace take seconds each, more on a busy machine.
export default packageTestConfig({ testTimeout: 180_000 });
