/** Run the CLI from sources (used by tests and `npm run dev`); the installed bin runs the compiled dist/. */
import { runCli } from './main.js';

process.exitCode = await runCli(process.argv);
