export * from './exit-codes.js';
export * from './errors.js';
export * from './redact.js';
export * from './process.js';
export * from './config.js';
export * from './run-state.js';
export * from './stage.js';
export * from './git-basics.js';
