/**
 * The operator CLI: `npm run cli -- <command>` (cli/program.ts). Connects to TEMPORAL_ADDRESS (or the embedded dev
 * server's port) with the same configuration as the service.
 */
import { CliContext } from './context';
import { runCli } from './program';

void runCli(process.argv.slice(2), new CliContext()).then((code) => process.exit(code));
