export * from './git-fixture.js';
