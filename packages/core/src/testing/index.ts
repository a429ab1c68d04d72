export * from './git-fixture.js';
export * from './repo-snapshot.js';
export * from './layers.js';
export * from './cargo-lock-fixture.js';
