export { main, processIO, latestRunState, type CliIO } from './main.js';
export { parseCliArgs, COMMANDS, type CommandName, type ParsedArgs } from './args.js';
export { EnvelopeSchema, envelope, envelopeJsonSchema, type Envelope } from './envelope.js';
export { helpText, FLAGS } from './help.js';
export { stageImpls } from './stages.js';
