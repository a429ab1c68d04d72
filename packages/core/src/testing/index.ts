export * from './git-fixture.js';
export * from './repo-snapshot.js';
export * from './layers.js';
